"""Webhook traffic the chaos scenarios make themselves, shared by `webhooks`, `hostile` and
`disclosures`: a tap that keeps what the store delivered, and a sender that re-sends it.

Both need what the store's own hooks do: the shared-secret header `register_hooks` gives
each hook and a Standard Webhooks signature. The emulator signs only for API accounts with
a client secret, and the pipeline's seeded account has none, so `signing_hooks` moves the
store's hooks (order and disclosure scopes) to one that has; the receiver is started with
the matching `whsec_` key (`WEBHOOK_ENV`), which makes bad signatures and stale timestamps
refusable at all.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from pipeline.core import registry
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.devtools.demo import DEMO_BUYER
from pipeline.integrations.bigcommerce import BigCommerceClient
from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.register import default_scopes, register_hooks
from pipeline.integrations.webhooks.verify import signature
from pipeline.runtime import clients
from pipeline.runtime.log import log_event

# The signing account's client secret. Scenario.env is fixed before a world exists, so it
# is drawn once per process; `bcrm chaos` runs every scenario in a process of its own.
_CLIENT_SECRET = secrets.token_urlsafe(24)
WEBHOOK_ENV = {
    "BCRM_WEBHOOK_SIGNING_SECRETS": "whsec_" + base64.b64encode(_CLIENT_SECRET.encode()).decode(),
}
# Orders a short form seeds: small, so it ends well within 90 s on a busy two-core machine.
SHORT_ORDERS = 10
# Bounds every request a scenario makes, so a receiver that hangs fails the scenario
# instead of hanging it.
REQUEST_TIMEOUT_S = 30.0
PENDING_POLL_S = 0.2


@dataclass(frozen=True)
class Answer:
    """The receiver's answer to one request: its status (0: no HTTP answer at all), the
    `status` or `error` field of its JSON, and how long it took."""

    status: int
    outcome: str
    seconds: float


class Sender:
    """Posts to the receiver as the store's hooks do, with the configuration the receiver
    itself was started with (same environment), so the two cannot disagree."""

    def __init__(self, world: ChaosWorld) -> None:
        self.url = world.processes.webhook_url
        self.config = WebhookConfig.from_env({**os.environ, **world.processes.env})

    def headers(
        self,
        body: bytes,
        *,
        message_id: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        key: bytes | None = None,
        content_type: str = "application/json",
    ) -> dict[str, str]:
        """What a hook sends with `body`; each keyword replaces one part (to forge it)."""
        msg_id = message_id or f"msg_{uuid.uuid4().hex}"
        sent_at = int(time.time()) if timestamp is None else timestamp
        return {
            "Content-Type": content_type,
            self.config.secret_header: secret or self.config.shared_secret or "",
            "webhook-id": msg_id,
            "webhook-timestamp": str(sent_at),
            "webhook-signature": "v1,"
            + signature(key or self.config.signing_keys[0], msg_id, sent_at, body),
        }

    def post(self, body: bytes | Iterable[bytes], headers: Mapping[str, str | bytes]) -> Answer:
        """POST once (an iterable body goes chunked); a transport error is status 0."""
        started = time.monotonic()
        try:
            response = requests.post(
                self.url, data=body, headers=headers, timeout=REQUEST_TIMEOUT_S
            )
        except requests.RequestException as exc:
            return Answer(0, type(exc).__name__, time.monotonic() - started)
        try:
            fields = response.json()
        except ValueError:
            fields = {}
        outcome = str(fields.get("status") or fields.get("error") or "")
        return Answer(response.status_code, outcome, time.monotonic() - started)


@dataclass(frozen=True)
class Captured:
    """One delivery as the store sent it: the exact body and the hook's message id."""

    body: bytes
    message_id: str

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def hash(self) -> str:
        return str(self.payload["hash"])

    @property
    def scope(self) -> str:
        return str(self.payload["scope"])


class DeliveryTap:
    """A loopback destination for the store's hooks that keeps each delivery's body.
    BigCommerce builds one body per event and sends it to every matching hook, so these
    are the bytes our receiver got."""

    def __init__(self) -> None:
        self.deliveries: list[Captured] = []
        lock = threading.Lock()
        captured = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    captured.append(Captured(body, self.headers.get("webhook-id", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the bodies are customer events, and stderr is the run's log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tap"

    @contextmanager
    def hooked(
        self, account: BigCommerceClient, store_hash: str, scopes: Sequence[str]
    ) -> Iterator[None]:
        """Serve and be a destination of the store's hooks of `scopes`; unhook before
        stopping, so the store never retries into a closed port."""
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            register_hooks(account, store_hash, self.url, scopes, {})
            yield
        finally:
            for hook in list(account.iter_hooks(destination=self.url)):
                account.request("DELETE", f"/v3/hooks/{hook['id']}")
            self.server.shutdown()
            self.server.server_close()
            thread.join()


@contextmanager
def signing_hooks(world: ChaosWorld) -> Iterator[BigCommerceClient]:
    """Move the store's hooks to a new API account with a client secret (what an app
    installed with signing gets), drop the unsigned ones, and yield that account's client.
    Call it before the store changes: the unsigned hooks would be refused from then on."""
    account = world.sandbox.admin(
        "bigcommerce", "POST", "/tokens", {"client_secret": _CLIENT_SECRET}
    )
    api = world.sandbox.env["BCRM_BIGCOMMERCE_API_URL"].rstrip("/")
    url = world.processes.webhook_url
    sender = Sender(world)
    headers = {sender.config.secret_header: sender.config.shared_secret or ""}
    with BigCommerceClient(
        f"{api}/stores/{world.store_hash}", account["access_token"], governor=None
    ) as client:
        scopes = default_scopes(client, "disclosures" in registry.flows())
        register_hooks(client, world.store_hash, url, scopes, headers)
        unsigned = clients.bigcommerce(world.store_hash)
        for hook in list(unsigned.iter_hooks(destination=url)):
            unsigned.request("DELETE", f"/v3/hooks/{hook['id']}")
        log_event("chaos.hooks_signed", store=world.store_hash)
        yield client


def receiver_hook_ids(account: BigCommerceClient, world: ChaosWorld) -> set[int]:
    return {h["id"] for h in account.iter_hooks(destination=world.processes.webhook_url)}


def delivered_hashes(world: ChaosWorld, hook_ids: set[int]) -> set[str]:
    """Event hashes the store delivered to these hooks and got a 2xx for."""
    attempts = world.sandbox.admin("bigcommerce", "GET", "/webhooks/attempts")
    return {a["hash"] for a in attempts if a["ok"] and a["hook_id"] in hook_ids}


def wait_for_store_deliveries(world: ChaosWorld, timeout_s: float) -> bool:
    """True once the store has no delivery in flight or waiting for a retry. A failed
    delivery waits 60 s for its first retry, so False means something was refused."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if world.sandbox.admin("bigcommerce", "GET", "/webhooks/pending")["pending"] == 0:
            return True
        time.sleep(PENDING_POLL_S)
    return False


def place_order(world: ChaosWorld, quantity: int, product_id: int | None = None) -> int:
    """A shopper checks out one product (the catalog's first unless `product_id`; the
    demo's guest buyer); returns the order id."""
    if product_id is None:
        product_id = next(clients.bigcommerce(world.store_hash).iter_v3("/catalog/products"))["id"]
    body = {
        "products": [{"product_id": product_id, "quantity": quantity}],
        "billing_address": DEMO_BUYER,
    }
    return int(world.sandbox.admin("bigcommerce", "POST", "/orders", body)["id"])


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds (nearest rank), for `world.figures`."""
    ordered = sorted(seconds)
    if not ordered:
        return {}

    def rank(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"p50_ms": rank(0.50), "p99_ms": rank(0.99), "max_ms": rank(1.0)}
