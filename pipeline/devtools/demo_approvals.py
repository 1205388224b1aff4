"""The demo's approvals part (flow 3, issue 15 §8): a maker and an approver, each an OTCS
user of their own in the ECM, and five price changes that end five different ways:

- A: filed by the maker, approved by the approver, published once, its receipt filed;
- B: rejected by the approver, never published;
- C: approved, but the price was changed in BigCommerce in between: refused as drift;
- D: approved by its own maker: refused (separation of duties);
- E: no request at all, a price changed in BigCommerce directly: an unapproved change
  record in the product's workspace. C's edit is one too: no approval explained it.

The demo waits for each outcome (and every record it files) instead of sleeping, then
counts what the ECM holds: its figures are the report's `flows.approvals`.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pipeline.devtools.approvals_staff import ApprovalsStaff
from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.devtools.settling import wait_until
from pipeline.flows.approvals import change_requests, observed
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.producer import publish_key
from pipeline.flows.approvals.requesting import request_change
from pipeline.flows.approvals.watch import WATCH
from pipeline.flows.commerce.pollers import poll_runs_key
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import clients, redis_client, services

CHANGE_TYPE = "product_price"
EXPECTED = ("published", "rejected", "refused", "refused")


def _price_of(sandbox: Sandbox, product_id: int) -> Decimal:
    live = clients.bigcommerce(sandbox.store_hash).get_v3(f"/catalog/products/{product_id}")
    return Decimal(str(live["price"]))


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):.2f}"


def _edit_price(sandbox: Sandbox, product_id: int) -> str:
    """A merchant reprices a product in the control panel (no API write, no approval)."""
    price = (_price_of(sandbox, product_id) * Decimal("0.9")).quantize(Decimal("0.01"))
    sandbox.admin("bigcommerce", "PUT", f"/products/{product_id}/price", {"price": float(price)})
    return str(price)


def governed_products(bigcommerce: BigCommerceClient) -> list[int]:
    """The products the approvals part changes (the first five the catalog lists)."""
    return [p["id"] for p in itertools.islice(bigcommerce.iter_v3("/catalog/products"), 5)]


def settled(store_hash: str, service: OTCSClient, change_id: str, status: str) -> bool:
    """The request reached `status`, and the record its publish owed (if any) is filed."""
    node = service.find_workspace(change_requests.EXT_SYSTEM, change_requests.BO_TYPE, change_id)
    if node is None or change_requests.facts_of(service, node.id)["Status"] != status:
        return False
    if status == "rejected":
        return True
    ledger = services.ledger()
    done = ledger.get(publish_key(store_hash, change_id)).get("done:publish")
    receipt = done and ledger.get(json.loads(done)["receipt"]).get("state")
    return receipt == "declared"


def _unapproved_filed(store_hash: str, product_ids: list[int]) -> bool:
    client = redis_client()
    seen = {c.target for c in observed.every_change(client, store_hash)}
    wanted = {f"product/{pid}" for pid in product_ids}
    return wanted <= seen and not observed.pending(client, store_hash)


def _figures(
    sandbox: Sandbox, service: OTCSClient, requests: list[ChangeRequest]
) -> dict[str, Any]:
    """What the ECM holds of the part, counted there."""
    store = sandbox.store_hash
    facts = [
        change_requests.facts_of(service, change_requests.read_request(service, r.id).node_id)
        for r in requests
    ]
    statuses = Counter(f["Status"] for f in facts)
    reasons = Counter(f["Status Reason"].split(":")[0] for f in facts if f["Status"] == "refused")
    nodes = sandbox.admin("otcs", "GET", "/inventory")["nodes"]
    # The part's own requests only: the recalls part files takedowns and a re-enable too.
    requests_folder = tuple(f"{change_requests.workspace_name(r.id)}/" for r in requests)

    def documents(container: str | tuple[str, ...], folder: str, marker: str) -> int:
        containers = (container,) if isinstance(container, str) else container
        return sum(
            1
            for n in nodes
            if any(c in n["path"] for c in containers)
            and f"/{folder}/" in n["path"]
            and marker in n["name"]
        )

    return {
        "requested": len(requests),
        "published": statuses["published"],
        "rejected": statuses["rejected"],
        "refused": dict(sorted(reasons.items())),
        "unapproved_changes": documents(f"Product {store}-", "Unapproved Changes", "unapproved"),
        "receipts": documents(requests_folder, "Publish Receipts", "-receipt-"),
        "refusal_records": documents(requests_folder, "Publish Receipts", "-refusal-"),
    }


def run_approvals(
    sandbox: Sandbox, staff: ApprovalsStaff, deadline: float, announce: Callable[[str], None]
) -> dict[str, Any]:
    """The part, start to end, by `staff` (`approvals_staff.hire`); its figures, the
    scripted outcomes and how many held."""
    store = sandbox.store_hash
    service = clients.otcs()
    maker, approver = staff.maker.otcs, staff.approver.otcs
    by, checker = staff.maker.name, staff.approver.name
    bigcommerce = clients.bigcommerce(store)
    wait_until(
        lambda: int(redis_client().get(poll_runs_key(store, WATCH)) or 0) > 0,
        deadline,
        "bcrm's first look at the governed fields (its baseline)",
    )
    products = governed_products(bigcommerce)
    days = policy().of(CHANGE_TYPE).valid_days

    def request(product_id: int, reason: str) -> ChangeRequest:
        price = (_price_of(sandbox, product_id) * Decimal("1.05")).quantize(Decimal("0.01"))
        target = f"product/{product_id}"
        return request_change(maker, bigcommerce, store, CHANGE_TYPE, target,
                              {"price": str(price)}, reason)  # fmt: skip

    a = request(products[0], "spring pricing")
    change_requests.decide(approver, a.id, True, days)
    b = request(products[1], "match a competitor")
    change_requests.decide(approver, b.id, False, days, "not this quarter")
    c = request(products[2], "spring pricing")
    edited = _edit_price(sandbox, products[2])
    change_requests.decide(approver, c.id, True, days)
    d = request(products[3], "clearance")
    change_requests.decide(maker, d.id, True, days)
    direct = _edit_price(sandbox, products[4])
    actions = [
        f"{a.id}: price of product {products[0]} → {_money(a.after['price'])}, filed by {by}, "
        f"approved by {checker}",
        f"{b.id}: price of product {products[1]} → {_money(b.after['price'])}, "
        f"rejected by {checker}",
        f"{c.id}: approved by {checker} after the price was changed to {edited} in BigCommerce",
        f"{d.id}: approved by {by}, who filed it",
        f"product {products[4]}: price changed to {direct} in BigCommerce, no request",
    ]
    announce("Approvals: " + "; ".join(actions))
    requests = [a, b, c, d]
    outcomes = dict(zip((r.id for r in requests), EXPECTED, strict=True))
    wait_until(
        lambda: all(settled(store, service, cr, status) for cr, status in outcomes.items()),
        deadline,
        "each change request's outcome and its record",
    )
    wait_until(
        lambda: _unapproved_filed(store, [products[2], products[4]]),
        deadline,
        "the unapproved changes filed",
    )
    figures = _figures(sandbox, service, requests)
    expected = {
        "published": 1,
        "rejected": 1,
        "refused": {"drift": 1, "separation of duties": 1},
        "unapproved_changes": 2,
        "receipts": 1,
        "refusal_records": 2,
    }
    passed = sum(figures[name] == value for name, value in expected.items())
    return {**figures, "actions": actions, "checks": len(expected), "checks_passed": passed}
