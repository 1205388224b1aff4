"""Hostile: bad secret, bad signature, stale timestamp, wrong content type, oversize,
non-JSON, unknown scope and slow clients, fired at the receiver while real deliveries flow.

Each kind must get the answer the receiver documents (`pipeline.integrations.webhooks`), nothing it
sent may be enqueued, and the legitimate deliveries sent meanwhile (the store's own, from
orders placed, shipped and refunded during the storm, and signed ones of ours every
`LEGIT_EVERY_S`) must all be enqueued with a p99 latency under `LEGIT_P99_BOUND_S`.
A client that never completes its headers gets no answer at all: the receiver closes the
connection after its read timeout. Everything stays on loopback and every loop is bounded:
`ROUNDS` of each kind from `HOSTILE_THREADS` threads, every socket with a timeout.

"Nothing enqueued" is checked where enqueueing leaves its trace: the receiver marks an
event's hash in the same atomic script that queues its fetch, so after the storm every
mark must belong to a legitimate delivery, and no hostile event may have a fetch in the
ledger.
"""

from __future__ import annotations

import json
import random
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from pipeline.core import keys
from pipeline.devtools.chaos.deliveries import (
    REQUEST_TIMEOUT_S,
    SHORT_ORDERS,
    WEBHOOK_ENV,
    Answer,
    Sender,
    delivered_hashes,
    latency_ms,
    place_order,
    receiver_hook_ids,
    signing_hooks,
    wait_for_store_deliveries,
)
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.flows.commerce.intake import order_event_ref
from pipeline.runtime import clients, redis_client, services

ROUNDS = 4
LONG_ROUNDS = 20
HOSTILE_THREADS = 6
LEGIT_EVERY_S = 0.25
LEGIT_P99_BOUND_S = 1.0
# Short, so a slow client is cut off within the short form; it is what production would
# set too if clients this slow were common.
READ_TIMEOUT_S = 2
DRIBBLE_S = 0.5
DELIVERY_WAIT_S = 30.0
PARTIAL_HEAD = b"POST /webhooks/bigcommerce HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


class Storm:
    """The hostile requests of one run, and the event hashes they carried (none of which
    may ever be enqueued)."""

    def __init__(self, world: ChaosWorld, sender: Sender, order_ids: list[int]) -> None:
        self.world = world
        self.sender = sender
        self.order_ids = order_ids
        self.store_id = str(clients.bigcommerce(world.store_hash).store_information()["id"])
        self.events: list[tuple[int, str, str]] = []
        # Drawn from by the storm's threads and the legit flow's, under the lock; the
        # world's generator stays the main thread's.
        self.rng = random.Random(world.rng.getrandbits(64))
        self._lock = threading.Lock()
        netloc = urlsplit(sender.url)
        self.address = (netloc.hostname or "127.0.0.1", netloc.port or 80)

    def callback(self, scope: str = "store/order/updated", hostile: bool = True) -> bytes:
        """A well-formed callback about a real order, with a hash of its own."""
        event_hash = secrets.token_hex(20)
        with self._lock:
            order_id = self.rng.choice(self.order_ids)
            if hostile:
                self.events.append((order_id, scope, event_hash))
        return _encode(
            {
                "scope": scope,
                "store_id": self.store_id,
                "data": {"type": "order", "id": order_id},
                "hash": event_hash,
                "created_at": int(time.time()),
                "producer": f"stores/{self.world.store_hash}",
            }
        )

    # -- the hostile kinds ---------------------------------------------------------------

    def bad_secret(self) -> Answer:
        body = self.callback()
        return self.sender.post(body, self.sender.headers(body, secret="guessed-" + "x" * 24))

    def no_secret(self) -> Answer:
        body = self.callback()
        headers = self.sender.headers(body)
        del headers[self.sender.config.secret_header]
        return self.sender.post(body, headers)

    def undecodable_secret(self) -> Answer:
        """Secret header bytes that are not UTF-8 (the receiver once answered 500)."""
        body = self.callback()
        headers: dict[str, str | bytes] = {
            **self.sender.headers(body),
            self.sender.config.secret_header: b"\xff\xfe",
        }
        return self.sender.post(body, headers)

    def bad_signature(self) -> Answer:
        body = self.callback()
        return self.sender.post(body, self.sender.headers(body, key=secrets.token_bytes(24)))

    def stale_timestamp(self) -> Answer:
        """Signed correctly, but longer ago than the tolerance: a captured delivery
        replayed by someone else."""
        body = self.callback()
        stale = int(time.time()) - 4 * self.sender.config.timestamp_tolerance_s
        return self.sender.post(body, self.sender.headers(body, timestamp=stale))

    def wrong_content_type(self) -> Answer:
        body = self.callback()
        headers = self.sender.headers(body, content_type="text/plain")
        return self.sender.post(body, headers)

    def oversize(self) -> Answer:
        body = self._oversize_body()
        return self.sender.post(body, self.sender.headers(body))

    def oversize_chunked(self) -> Answer:
        """No Content-Length: the limit must hold while reading, not only when declared."""
        body = self._oversize_body()
        chunks = (body[i : i + 4096] for i in range(0, len(body), 4096))
        return self.sender.post(chunks, self.sender.headers(body))

    def _oversize_body(self) -> bytes:
        payload = json.loads(self.callback())
        payload["padding"] = "x" * (self.sender.config.max_body_bytes + 1)
        return _encode(payload)

    def non_json(self) -> Answer:
        body = b"scope=store/order/created&id=" + secrets.token_hex(8).encode()
        return self.sender.post(body, self.sender.headers(body))

    def nested_too_deep(self) -> Answer:
        """Within the size limit, nested past Python's recursion limit (once a 500)."""
        depth = min(5000, self.sender.config.max_body_bytes // 2)
        body = b"[" * depth + b"]" * depth
        return self.sender.post(body, self.sender.headers(body))

    def not_a_callback(self) -> Answer:
        body = _encode({"event": "order.created", "order": {"id": self.order_ids[0]}})
        return self.sender.post(body, self.sender.headers(body))

    def unknown_scope(self) -> Answer:
        body = self.callback(scope="store/product/updated")
        return self.sender.post(body, self.sender.headers(body))

    def slow_body(self) -> Answer:
        """Headers, a few bytes of body, then a byte every DRIBBLE_S, never the end."""
        body = self.callback()
        return self._trickle(self._head(body) + body[:10], body[10:-1])

    def stalled_headers(self) -> Answer:
        """Half a request line and headers, then nothing: the connection must be closed."""
        return self._trickle(PARTIAL_HEAD, b"")

    def dribbled_headers(self) -> Answer:
        """A header that never ends, a byte every DRIBBLE_S (slowloris)."""
        return self._trickle(PARTIAL_HEAD + b"X-Pad: ", b"a" * 4096)

    def _trickle(self, first: bytes, more: bytes) -> Answer:
        """Send `first`, then one byte of `more` every DRIBBLE_S (then nothing), until
        the receiver answers or closes; never longer than the read timeout plus
        REQUEST_TIMEOUT_S."""
        with socket.create_connection(self.address, timeout=REQUEST_TIMEOUT_S) as sock:
            sock.settimeout(DRIBBLE_S)
            sock.sendall(first)
            started = time.monotonic()
            try:
                while time.monotonic() < started + READ_TIMEOUT_S + REQUEST_TIMEOUT_S:
                    try:
                        received = sock.recv(4096)
                    except TimeoutError:
                        sock.sendall(more[:1])
                        more = more[1:]
                        continue
                    # Answered (or closed): the rest comes once the receiver stops
                    # draining the refused body (its lingering time).
                    sock.settimeout(REQUEST_TIMEOUT_S)
                    return _answer(received + _read_all(sock), started)
            except OSError as exc:
                return Answer(0, type(exc).__name__, time.monotonic() - started)
            return Answer(0, "never cut off", time.monotonic() - started)

    def _head(self, body: bytes) -> bytes:
        headers = {**self.sender.headers(body), "Content-Length": str(len(body))}
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return f"POST {urlsplit(self.sender.url).path} HTTP/1.1\r\nHost: x\r\n{lines}\r\n".encode()


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes; TimeoutError if it goes quiet first."""
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(raw: bytes, started: float) -> Answer:
    """Status and `error` of a raw HTTP/1.1 answer; status 0 if closed without one."""
    elapsed = time.monotonic() - started
    if not raw:
        return Answer(0, "closed", elapsed)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        outcome = str(json.loads(body).get("error", ""))
    except ValueError:
        outcome = ""
    return Answer(status, outcome, elapsed)


@dataclass(frozen=True)
class Kind:
    name: str
    expected: str  # "<status> <error>" as the receiver answers it
    send: Callable[[Storm], Answer]


KINDS = (
    Kind("bad secret", "401 unauthenticated", Storm.bad_secret),
    Kind("no secret", "401 unauthenticated", Storm.no_secret),
    Kind("undecodable secret", "401 unauthenticated", Storm.undecodable_secret),
    Kind("bad signature", "401 unauthenticated", Storm.bad_signature),
    Kind("stale timestamp", "401 unauthenticated", Storm.stale_timestamp),
    Kind("wrong content type", "415 unsupported_media_type", Storm.wrong_content_type),
    Kind("oversize", "413 too_large", Storm.oversize),
    Kind("oversize chunked", "413 too_large", Storm.oversize_chunked),
    Kind("non-JSON", "400 invalid_json", Storm.non_json),
    Kind("nested too deep", "400 invalid_json", Storm.nested_too_deep),
    Kind("not a callback", "422 invalid_delivery", Storm.not_a_callback),
    Kind("unknown scope", "422 unknown_scope", Storm.unknown_scope),
    Kind("slow body", "408 timeout", Storm.slow_body),
    Kind("stalled headers", "0 closed", Storm.stalled_headers),
    Kind("dribbled headers", "0 closed", Storm.dribbled_headers),
)


class LegitFlow:
    """Signed, valid deliveries every LEGIT_EVERY_S from a thread of their own, timed."""

    def __init__(self, storm: Storm) -> None:
        self.storm = storm
        self.answers: list[Answer] = []
        self.hashes: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="legit-deliveries", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(LEGIT_EVERY_S):
            body = self.storm.callback(hostile=False)
            self.hashes.append(json.loads(body)["hash"])
            self.answers.append(self.storm.sender.post(body, self.storm.sender.headers(body)))

    def __enter__(self) -> LegitFlow:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _marks(store_hash: str) -> set[str]:
    prefix = keys.webhook_seen(store_hash, "")
    found = redis_client().scan_iter(match=keys.webhook_seen(store_hash, "*"), count=1000)
    return {key.decode().removeprefix(prefix) for key in found}


def _storm(storm: Storm, rounds: int) -> Iterator[tuple[Kind, Answer]]:
    jobs = [kind for kind in KINDS for _ in range(rounds)]
    storm.world.rng.shuffle(jobs)
    with ThreadPoolExecutor(HOSTILE_THREADS) as pool:
        yield from zip(jobs, pool.map(lambda kind: kind.send(storm), jobs), strict=True)


def _orders(world: ChaosWorld) -> Iterator[dict[str, Any]]:
    return clients.bigcommerce(world.store_hash).iter_orders(include=(), limit=50)


def _shop(world: ChaosWorld) -> list[int]:
    """The store's own traffic during the storm: two orders placed, shipped, refunded."""
    placed = [place_order(world, quantity) for quantity in (1, 2)]
    for order_id in placed:
        world.sandbox.admin("bigcommerce", "POST", f"/orders/{order_id}/shipments", {})
    world.sandbox.admin("bigcommerce", "POST", f"/orders/{placed[0]}/refunds", {"amount": 1.0})
    return placed


def drive(world: ChaosWorld, long: bool) -> list[str]:
    problems: list[str] = []
    sender = Sender(world)
    rounds = LONG_ROUNDS if long else ROUNDS
    with signing_hooks(world) as account:
        storm = Storm(world, sender, [o["id"] for o in _orders(world)])
        marked_before = _marks(world.store_hash)
        world.note(f"{len(KINDS)} hostile kinds x{rounds} from {HOSTILE_THREADS} threads")
        with LegitFlow(storm) as legit, ThreadPoolExecutor(1) as shopper:
            shopping = shopper.submit(_shop, world)
            answers = list(_storm(storm, rounds))
            placed = shopping.result()
        world.note(f"while the store placed, shipped and refunded orders {placed}")
        if not wait_for_store_deliveries(world, DELIVERY_WAIT_S):
            problems.append("the store's own deliveries were refused (still pending)")
        store_events = delivered_hashes(world, receiver_hook_ids(account, world))

    got: dict[str, Counter[str]] = {kind.name: Counter() for kind in KINDS}
    for kind, answer in answers:
        got[kind.name][f"{answer.status} {answer.outcome}"] += 1
    for kind in KINDS:
        if set(got[kind.name]) != {kind.expected}:
            problems.append(f"{kind.name}: expected {kind.expected}, got {dict(got[kind.name])}")
    legit_wrong = Counter(f"{a.status} {a.outcome}" for a in legit.answers)
    del legit_wrong["200 enqueued"]
    if legit_wrong:
        problems.append(f"legitimate deliveries refused: {dict(legit_wrong)}")
    latency = latency_ms([a.seconds for a in legit.answers])
    if not legit.answers or latency["p99_ms"] > 1000 * LEGIT_P99_BOUND_S:
        problems.append(f"legitimate deliveries slowed down: {latency}")
    problems += _enqueued_hostile(storm, marked_before | set(legit.hashes) | store_events)
    healthz = requests.get(sender.url.rsplit("/webhooks/", 1)[0] + "/healthz", timeout=10)
    if healthz.status_code != 200:
        problems.append(f"receiver unhealthy after the storm: {healthz.status_code}")
    world.figures.update(
        {
            "hostile_requests": len(answers),
            "hostile_answers": {name: dict(counts) for name, counts in got.items()},
            "legit_deliveries": len(legit.answers),
            "legit_latency": latency,
            "store_events_delivered": len(store_events),
        }
    )
    return problems


def _enqueued_hostile(storm: Storm, legitimate: set[str]) -> list[str]:
    """Marks nothing legitimate explains, and hostile events that reached the ledger."""
    problems = []
    stray = _marks(storm.world.store_hash) - legitimate
    if stray:
        problems.append(f"{len(stray)} events enqueued that no legitimate delivery carried")
    refs = [order_event_ref(storm.world.store_hash, o, s, h) for o, s, h in storm.events]
    records = services.ledger().get_many([ref["record_key"] for ref in refs])
    reached = sum(1 for record in records if record)
    if reached:
        problems.append(f"{reached} hostile events reached the fetch stage")
    storm.world.figures["hostile_events_enqueued"] = len(stray) + reached
    return problems


SCENARIO = Scenario(
    name="hostile",
    injected="bad auth, stale, wrong type, oversize, non-JSON, unknown scope, slow clients",
    short_orders=SHORT_ORDERS,
    long_orders=200,
    drive=drive,
    env={**WEBHOOK_ENV, "BCRM_WEBHOOK_READ_TIMEOUT": str(READ_TIMEOUT_S)},
)
