"""`bcrm demo`: archive a seeded BigCommerce store into the ECM emulator, end to end.

Beat polls the store, the fleet fetches, renders, classifies and declares; halfway the
demo acts like shoppers and merchants (new orders, a shipment, a refund) and waits for
those to arrive too. Then it checks the ECM's inventory against what the store owes:
every due document present exactly once, with the hash the ledger recorded.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from rich.progress import Progress

from pipeline import clients, services
from pipeline.declare import ecm_name
from pipeline.demo_sandbox import Sandbox
from pipeline.documents import DocumentRef
from pipeline.ledger import repeated_attempts_of, retries_of
from pipeline.pollers import poll_runs_key
from pipeline.progress import progress_bar
from pipeline.queues import queues_idle
from pipeline.reconcile import owed_documents
from pipeline.runtime import redis_client

POLL_S = 0.5
DEMO_BUYER = {
    "first_name": "Zoë",
    "last_name": "Ødegård",
    "street_1": "Prinsengracht 263",
    "city": "Amsterdam",
    "zip": "1016 GV",
    "country": "Netherlands",
    "country_iso2": "NL",
    "email": "zoe@example.com",
}
FINAL_DOCUMENT_STATES = ("declared", "dead_lettered")


@dataclass
class DemoSummary:
    """What a records manager reads at the end, on screen and as JSON."""

    store_hash: str
    orders_seen: int
    live_changes: list[str]
    webhooks_delivered: int
    records_declared: int
    earlier_versions: int
    records_per_kind: dict[str, int]
    records_per_rsi: dict[str, int]
    due_documents: int
    present_exactly_once: int
    api_calls: int
    api_calls_per_order: float
    retries: int
    repeated_runs_absorbed: int
    dead_letters: int
    elapsed_s: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.present_exactly_once == self.due_documents

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass
class _Snapshot:
    """The ledger's view of this store's run at one moment."""

    fetches: dict[str, set[str]]
    documents: dict[str, set[str]]

    @property
    def documents_total(self) -> int:
        return sum(len(keys) for keys in self.documents.values())

    @property
    def documents_settled(self) -> int:
        return sum(len(self.documents[s]) for s in FINAL_DOCUMENT_STATES)

    @property
    def fetches_open(self) -> int:
        return len(self.fetches["pending"])


def _look(store_hash: str) -> _Snapshot:
    ledger = services.ledger()
    return _Snapshot(
        ledger.states_with_prefix(f"{store_hash}:order:"),
        ledger.states_with_prefix(f"{store_hash}/"),
    )


def _poll_runs(store_hash: str) -> int:
    values = redis_client().mget([poll_runs_key(store_hash, r) for r in ("orders", "refunds")])
    return min(int(v or 0) for v in values)


def _wait_until_settled(store_hash: str, deadline: float, progress: Progress, bar: Any) -> None:
    """Until two full polls of orders and refunds ran after the last work was seen, with
    every queue empty and every fetched document declared or dead-lettered."""
    quiet_since = _poll_runs(store_hash)
    while time.monotonic() < deadline:
        seen = _look(store_hash)
        progress.update(
            bar,
            total=max(seen.documents_total, 1),
            completed=seen.documents_settled,
            detail=f"orders {len(seen.fetches['fetched'])} fetched",
        )
        busy = (
            seen.fetches_open
            or seen.documents_settled < seen.documents_total
            or not queues_idle(redis_client())
        )
        if busy:
            quiet_since = _poll_runs(store_hash)
        elif _poll_runs(store_hash) >= quiet_since + 2:
            return
        time.sleep(POLL_S)
    raise TimeoutError("the pipeline did not settle before the demo's timeout")


def _live_changes(admin_url: str, store_hash: str) -> list[str]:
    """Act like the store's shoppers and staff: two new orders, a shipment, a refund."""
    client = clients.bigcommerce(store_hash)
    product = next(client.iter_v3("/catalog/products", {"limit": 5}))
    done = []
    for quantity in (1, 3):
        body = {
            "products": [{"product_id": product["id"], "quantity": quantity}],
            "billing_address": DEMO_BUYER,
        }
        order = _admin(admin_url, "POST", "/orders", body)
        done.append(f"placed order {order['id']}")
    awaiting = next(client.iter_orders(status_id=11, include=(), limit=5), None)
    if awaiting is not None:
        _admin(admin_url, "POST", f"/orders/{awaiting['id']}/shipments", {})
        done.append(f"shipped order {awaiting['id']}")
    completed = next(client.iter_orders(status_id=10, include=(), limit=5), None)
    if completed is not None:
        _admin(admin_url, "POST", f"/orders/{completed['id']}/refunds", {"amount": 1.0})
        done.append(f"refunded 1.00 on order {completed['id']}")
    return done


def _admin(admin_url: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.request(method, admin_url + path, json=body, timeout=30)
    response.raise_for_status()
    return dict(response.json())


def register_demo_hooks(sandbox: Sandbox, destination: str, secret: str) -> None:
    """Point the emulated store's webhooks at our receiver, as `bcrm webhooks register`."""
    from pipeline.webhooks.config import DEFAULT_SECRET_HEADER
    from pipeline.webhooks.register import register_hooks
    from schemas.webhooks import REGISTERED_SCOPES

    client = clients.bigcommerce(sandbox.store_hash)
    register_hooks(
        client, sandbox.store_hash, destination, REGISTERED_SCOPES, {DEFAULT_SECRET_HEADER: secret}
    )


def _expected(store_hash: str) -> tuple[dict[str, DocumentRef], int]:
    """ECM name → reference of every document the store owes now, and the order count."""
    client = clients.bigcommerce(store_hash)
    expected, orders = {}, 0
    for order in client.iter_orders(include=()):
        orders += 1
        for ref in owed_documents(client, store_hash, int(order["id"])):
            expected[ecm_name(ref)] = ref
    return expected, orders


def _verify(sandbox: Sandbox, summary_base: dict[str, Any]) -> DemoSummary:
    inventory = requests.get(sandbox.otcs["admin_url"] + "/inventory", timeout=60).json()
    marker = f"Order {sandbox.store_hash}-"
    documents = [n for n in inventory["nodes"] if n.get("type") == 144 and marker in n["path"]]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for node in documents:
        by_name.setdefault(node["name"], []).append(node)
    expected, orders = _expected(sandbox.store_hash)
    ledger = services.ledger()
    problems, exactly_once = [], 0
    for name, ref in sorted(expected.items()):
        nodes = by_name.get(name, [])
        record = ledger.get(ref.record_key)
        if len(nodes) != 1:
            problems.append(f"{name}: present {len(nodes)} times")
        elif record.get("state") != "declared":
            problems.append(f"{name}: ledger state {record.get('state', 'absent')}")
        elif record.get("sha256") != nodes[0]["sha256"] or record.get("target_id") != str(
            nodes[0]["id"]
        ):
            problems.append(f"{name}: ledger and ECM disagree")
        else:
            exactly_once += 1
    kinds = Counter(ref.kind.value for name, ref in expected.items() if name in by_name)
    rsis = Counter((n.get("classification") or {}).get("rsi", "none") for n in documents)
    return DemoSummary(
        orders_seen=orders,
        records_declared=len(documents),
        earlier_versions=len(set(by_name) - set(expected)),
        records_per_kind=dict(sorted(kinds.items())),
        records_per_rsi=dict(sorted(rsis.items())),
        due_documents=len(expected),
        present_exactly_once=exactly_once,
        problems=problems,
        **summary_base,
    )


def run_demo(
    sandbox: Sandbox,
    timeout_s: float,
    live: bool,
    start_fleet: Callable[[], None],
    show_progress: bool = True,
) -> DemoSummary:
    """Start the fleet, archive the store, make live changes, archive those, verify."""
    started = time.monotonic()
    deadline = started + timeout_s
    changes: list[str] = []
    with progress_bar(show_progress) as progress:
        start_fleet()
        bar = progress.add_task("declaring", total=1, detail="")
        _wait_until_settled(sandbox.store_hash, deadline, progress, bar)
        if live:
            changes = _live_changes(sandbox.bigcommerce["admin_url"], sandbox.store_hash)
            progress.update(bar, description="live changes")
            _wait_until_settled(sandbox.store_hash, deadline, progress, bar)
    counters = requests.get(sandbox.bigcommerce["admin_url"] + "/counters", timeout=30).json()
    deliveries = requests.get(
        sandbox.bigcommerce["admin_url"] + "/webhooks/attempts", timeout=30
    ).json()
    seen = _look(sandbox.store_hash)
    records = services.ledger().get_many(
        sorted(set().union(*seen.documents.values(), *seen.fetches.values()))
    )
    orders_fetched = len({key.split(":")[2] for key in seen.fetches["fetched"]})
    base = {
        "store_hash": sandbox.store_hash,
        "live_changes": changes,
        "webhooks_delivered": sum(1 for attempt in deliveries if attempt["ok"]),
        "api_calls": int(counters["total"]),
        "api_calls_per_order": round(int(counters["total"]) / max(orders_fetched, 1), 2),
        "retries": sum(retries_of(r) for r in records),
        "repeated_runs_absorbed": sum(repeated_attempts_of(r) - retries_of(r) for r in records),
        "dead_letters": len(seen.documents["dead_lettered"]) + len(seen.fetches["dead_lettered"]),
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    return _verify(sandbox, base)
