"""`bcrm demo`: archive a seeded BigCommerce store into the ECM emulator, end to end.

Beat polls the store, the fleet fetches, renders, classifies and declares; halfway the
demo acts like shoppers and merchants (new orders, a shipment, a refund) and waits for
those to arrive too. Then it checks the ECM's inventory against what the store owes:
every due document present exactly once, with the hash the ledger recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.cli.progress import progress_bar, settle_bar
from pipeline.core.ledger import repeated_attempts_of, retries_of
from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.devtools.inventory import check_inventory
from pipeline.devtools.settling import look, wait_until_settled
from pipeline.runtime import clients, services

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


@dataclass
class DemoSummary:
    """What a records manager reads at the end, on screen and as JSON."""

    store_hash: str
    orders_seen: int
    live_changes: list[str]
    webhooks_delivered: int
    records_declared: int
    earlier_versions: int
    records_per_flow: dict[str, int]
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


def _live_changes(sandbox: Sandbox) -> list[str]:
    """Act like the store's shoppers and staff: two new orders, a shipment, a refund."""
    client = clients.bigcommerce(sandbox.store_hash)
    product = next(client.iter_v3("/catalog/products", {"limit": 5}))
    done = []
    for quantity in (1, 3):
        body = {
            "products": [{"product_id": product["id"], "quantity": quantity}],
            "billing_address": DEMO_BUYER,
        }
        order = sandbox.admin("bigcommerce", "POST", "/orders", body)
        done.append(f"placed order {order['id']}")
    awaiting = next(client.iter_orders(status_id=11, include=(), limit=5), None)
    if awaiting is not None:
        sandbox.admin("bigcommerce", "POST", f"/orders/{awaiting['id']}/shipments", {})
        done.append(f"shipped order {awaiting['id']}")
    completed = next(client.iter_orders(status_id=10, include=(), limit=5), None)
    if completed is not None:
        sandbox.admin("bigcommerce", "POST", f"/orders/{completed['id']}/refunds", {"amount": 1.0})
        done.append(f"refunded 1.00 on order {completed['id']}")
    return done


def _summary(sandbox: Sandbox, summary_base: dict[str, Any]) -> DemoSummary:
    check = check_inventory(sandbox.otcs["admin_url"], sandbox.store_hash)
    return DemoSummary(
        orders_seen=check.orders,
        records_declared=check.records_declared,
        earlier_versions=check.earlier_versions,
        records_per_flow=check.records_per_flow,
        records_per_kind=check.records_per_kind,
        records_per_rsi=check.records_per_rsi,
        due_documents=check.due,
        present_exactly_once=check.present_once,
        problems=check.problems,
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
        show = settle_bar(progress, bar)
        wait_until_settled(sandbox.store_hash, deadline, show)
        if live:
            changes = _live_changes(sandbox)
            progress.update(bar, description="live changes")
            wait_until_settled(sandbox.store_hash, deadline, show)
    counters = sandbox.admin("bigcommerce", "GET", "/counters")
    deliveries = sandbox.admin("bigcommerce", "GET", "/webhooks/attempts")
    seen = look(sandbox.store_hash)
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
    return _summary(sandbox, base)
