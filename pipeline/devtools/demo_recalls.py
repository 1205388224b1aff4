"""The demo's recalls part (flow 6, issue 16 item 7): a recall of one SKU sold in several
of the store's orders, opened in the ECM by one person and decided by another, as people
do it there (a Recall workspace with its category; bcrm's ECM poller picks it up, as it
would `bcrm recalls open`'s), then:

- the takedown: the product off sale through the publish stage, read back and verified,
  its receipt carrying the time from the decision to the verified storefront state;
- the LEGAL hold `RECALL-<store>-<id>` on the recall's workspace and on every record of
  every affected order, each once;
- the affected-orders report filed in the recall's workspace;
- a re-enable attempt: a `product_launch` change request putting the product back on
  sale, filed by the approvals part's maker and approved by its approver, refused by the
  publish stage's recall gate with a refusal record.

The recall is opened before the live changes and the re-enable filed after the
approvals part, so both settle with the live round instead of after it; `recall_figures`
then only waits for what is still missing and counts what the ECM holds: the report's
`flows.recalls`. The recalled product is one the approvals part does not touch (nor the
live orders), so the parts cannot interfere.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pikepdf

from pipeline.devtools.approvals_staff import ApprovalsStaff, Person, person
from pipeline.devtools.demo_approvals import governed_products, settled
from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.devtools.settling import wait_until
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.producer import publish_key
from pipeline.flows.approvals.requesting import request_change
from pipeline.flows.recalls import ecm
from pipeline.flows.recalls.documents import AFFECTED_ORDERS
from pipeline.flows.recalls.storefront import TAKEN_DOWN, storefront_state
from pipeline.flows.recalls.takedown import takedown_id
from pipeline.index.recalls import ORDER, RECALL, Identifiers, Recall, RecalledItem
from pipeline.runtime import clients, services

OPENER, DECIDER = "quinn.quality", "lee.legal"
REENABLE_TYPE = "product_launch"
# Before the seed's first order: the store's whole history is in the sold window.
SOLD_FROM = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RecallPart:
    """The recall the demo opened, what it recalls and the orders that sold it (the
    archive index's order lines when it was opened)."""

    recall_id: str
    product_id: int
    sku: str
    sold_in: tuple[int, ...]
    actions: list[str]


def _most_sold(store_hash: str, excluded: set[int]) -> tuple[int, tuple[int, ...]]:
    """The product in the most archived orders (the lowest id of equals), not `excluded`,
    and those orders."""
    content = services.archive_index().store_content(store_hash)
    orders: dict[int, set[int]] = {}
    for order_id, (_, lines) in content.orders.items():
        for line in lines:
            if line.product_id and int(line.product_id) not in excluded:
                orders.setdefault(int(line.product_id), set()).add(int(order_id))
    if not orders:
        raise RuntimeError("the demo store's archived orders sell no product to recall")
    product_id = max(orders, key=lambda p: (len(orders[p]), -p))
    return product_id, tuple(sorted(orders[product_id]))


def open_recall(sandbox: Sandbox, announce: Callable[[str], None]) -> RecallPart:
    """Open a recall of the most sold product in the ECM as one person and decide it as
    another (what `bcrm recalls open` and `decide` do, run by two people)."""
    store = sandbox.store_hash
    service = clients.otcs()
    opener, decider = person(service, OPENER), person(service, DECIDER)
    bigcommerce = clients.bigcommerce(store)
    product_id, sold_in = _most_sold(store, set(governed_products(bigcommerce)))
    sku = str(bigcommerce.get_v3(f"/catalog/products/{product_id}")["sku"])
    recall_id = open_and_decide(opener, decider, store, sku)
    actions = [
        f"recall {recall_id} of SKU {sku} (product {product_id}, sold in "
        f"{len(sold_in)} orders) opened in the ECM by {OPENER}, decided by {DECIDER}"
    ]
    announce("Recalls: " + actions[0])
    return RecallPart(recall_id, product_id, sku, sold_in, actions)


def open_and_decide(opener: Person, decider: Person, store_hash: str, sku: str) -> str:
    """A recall of `sku` filed in the ECM by `opener` (a Recall workspace with its
    category, as `bcrm recalls open` files it) and decided by `decider`; its id. bcrm's
    ECM poller picks it up."""
    recall = Recall(
        store_hash=store_hash,
        recall_id=ecm.next_recall_id(opener.otcs, store_hash),
        identifiers=Identifiers(skus=(sku,)),
        sold_from=SOLD_FROM,
        sold_to=None,
        hazard="Battery may overheat while charging",
        remedy="Stop using it; full refund",
        severity="serious",
    )
    node_id = ecm.file_recall(opener.otcs, recall)
    ecm.decide(decider.otcs, node_id)
    return recall.recall_id


def _recall(store_hash: str, recall_id: str) -> Recall | None:
    return services.archive_index().recalls.get(store_hash, recall_id)


def _items(store_hash: str, recall_id: str) -> list[RecalledItem]:
    return services.archive_index().recalls.items(store_hash, recall_id)


def takedown_results(store_hash: str, recall_id: str) -> dict[str, dict[str, Any]] | None:
    """The publish stage's result of each of the recall's takedowns, by change request
    id, once all ended with their record declared (None before)."""
    recall = _recall(store_hash, recall_id)
    items = _items(store_hash, recall_id)
    if recall is None or recall.decided_at is None or not items:
        return None
    ledger = services.ledger()
    found = {}
    for item in items:
        change_id = takedown_id(recall, item)
        raw = ledger.get(publish_key(store_hash, change_id)).get("done:publish")
        if raw is None:
            return None
        result = json.loads(raw)
        if ledger.get(result["receipt"]).get("state") != "declared":
            return None
        found[change_id] = result
    return found


def attempt_reenable(
    sandbox: Sandbox,
    part: RecallPart,
    staff: ApprovalsStaff,
    deadline: float,
    announce: Callable[[str], None],
) -> ChangeRequest:
    """Once the takedown is verified, someone asks to sell the product again: a launch
    request by the maker, approved by the approver (the recall gate must refuse it)."""
    store = sandbox.store_hash
    wait_until(
        lambda: takedown_results(store, part.recall_id) is not None,
        deadline,
        f"the takedown of recall {part.recall_id}",
    )
    change = request_reenable(staff, store, part.product_id)
    part.actions.append(
        f"{change.id}: product {part.product_id} back on sale, filed by {staff.maker.name}, "
        f"approved by {staff.approver.name}"
    )
    announce("Recalls: " + part.actions[-1])
    return change


def request_reenable(staff: ApprovalsStaff, store_hash: str, product_id: int) -> ChangeRequest:
    """A launch request putting the product back on sale, filed by the maker and approved
    by the approver: the recall gate must refuse it while the recall is open."""
    change = request_change(
        staff.maker.otcs, clients.bigcommerce(store_hash), store_hash, REENABLE_TYPE,
        f"product/{product_id}", {"availability": "available", "is_visible": "true"},
        "back on sale",
    )  # fmt: skip
    days = policy().of(REENABLE_TYPE).valid_days
    change_requests.decide(staff.approver.otcs, change.id, True, days)
    return change


def _embedded(node_id: int) -> dict[str, Any]:
    """The JSON the filed receipt embeds (its source)."""
    with pikepdf.open(io.BytesIO(clients.otcs().download(node_id))) as pdf:
        for spec in pdf.attachments.values():
            data = json.loads(spec.get_file().read_bytes())
            if isinstance(data, dict):
                return data
    return {}


def receipt_node(nodes: list[dict[str, Any]], change_id: str) -> dict[str, Any] | None:
    marker = f"Change Request {change_id}/Publish Receipts/"
    return next((n for n in nodes if marker in n["path"] and "-receipt-" in n["name"]), None)


def held_as(node: dict[str, Any], hold: str) -> list[str]:
    """How the node carries `hold`: one `Direct` or `Inherited` per carrying."""
    return [h["hold_appliedmethod"] for h in node["holds"] if h["hold_name"] == hold]


def _holds_in_place(sandbox: Sandbox, part: RecallPart) -> bool:
    """The workspace and every record of every affected order carry the hold directly."""
    recall = _recall(sandbox.store_hash, part.recall_id)
    if recall is None:
        return False
    wanted = _held_nodes(sandbox.store_hash, part)
    nodes = {n["id"]: n for n in sandbox.admin("otcs", "GET", "/inventory")["nodes"]}
    return all(n in nodes and "Direct" in held_as(nodes[n], recall.hold_name) for n in wanted)


def _order_records(store_hash: str, part: RecallPart) -> set[int]:
    """The nodes of every record the archive index has of the affected orders."""
    index = services.archive_index()
    return {
        row.ecm_node_id
        for order_id in part.sold_in
        for row in index.records_of_subject(store_hash, ORDER, str(order_id))
    }


def _held_nodes(store_hash: str, part: RecallPart) -> set[int]:
    """What the hold must cover directly: the affected orders' records and the recall's
    workspace (its own records inherit it)."""
    recall = _recall(store_hash, part.recall_id)
    workspace = {recall.workspace_id} if recall and recall.workspace_id else set()
    return _order_records(store_hash, part) | workspace


def _report_filed(store_hash: str, part: RecallPart) -> bool:
    index = services.archive_index()
    kinds = {r.kind for r in index.records_of_subject(store_hash, RECALL, part.recall_id)}
    found = index.recalls.orders(store_hash, part.recall_id)
    return AFFECTED_ORDERS in kinds and tuple(found) == part.sold_in


def recall_figures(
    sandbox: Sandbox, part: RecallPart, reenable: ChangeRequest, deadline: float
) -> dict[str, Any]:
    """Wait for the recall's outcomes, then count what the ECM and the store hold: the
    report's `flows.recalls`, with how many of the scripted outcomes held."""
    store = sandbox.store_hash
    service = clients.otcs()
    wait_until(lambda: _report_filed(store, part), deadline, "the affected-orders report")
    wait_until(lambda: _holds_in_place(sandbox, part), deadline, "the recall's holds")
    wait_until(
        lambda: settled(store, service, reenable.id, "refused"),
        deadline,
        "the re-enable's refusal record",
    )
    recall = _recall(store, part.recall_id)
    assert recall is not None  # the report is filed: the poller saved it
    results = takedown_results(store, part.recall_id) or {}
    nodes = sandbox.admin("otcs", "GET", "/inventory")["nodes"]
    receipts = [receipt_node(nodes, change_id) for change_id in results]
    evidence = [_embedded(r["id"]).get("takedown", {}) for r in receipts if r is not None]
    seconds = [float(e["decision_to_verified_s"]) for e in evidence
               if e.get("decision_to_verified_s") is not None]  # fmt: skip
    states = storefront_state(clients.bigcommerce(store), recall, _items(store, part.recall_id))
    order_records = _order_records(store, part)
    reason = change_requests.facts_of(
        service, change_requests.read_request(service, reenable.id).node_id
    )["Status Reason"]
    refusal = f"Change Request {reenable.id}/Publish Receipts/"
    refusals = [n for n in nodes if refusal in n["path"] and "-refusal-" in n["name"]]
    figures = {
        "recall_id": part.recall_id,
        "sku": part.sku,
        "product_id": part.product_id,
        "opened_by": recall.opened_by,
        "decided_by": recall.decided_by,
        "affected_orders": len(services.archive_index().recalls.orders(store, part.recall_id)),
        "records_on_hold": sum(
            1 for n in nodes if n["id"] in order_records and held_as(n, recall.hold_name)
        ),
        "takedown_seconds": max(seconds) if seconds else None,
        "takedowns": len(results),
        "off_sale": sum(1 for s in states if s.exists and not s.on_sale),
        "reenable_refused": len(refusals) if reason.startswith("recall gate") else 0,
        "actions": part.actions,
    }
    checks = {
        "affected orders found": figures["affected_orders"] == len(part.sold_in) >= 2,
        "takedown verified": bool(results)
        and all(r["result"] in TAKEN_DOWN for r in results.values())
        and figures["off_sale"] == len(states) == len(evidence) == len(seconds),
        "every affected record on hold once": all(
            held_as(n, recall.hold_name) == ["Direct"]
            for n in nodes
            if n["id"] in _held_nodes(store, part)
        ),
        "re-enable refused by the gate": figures["reenable_refused"] == 1,
    }
    return {
        **figures,
        "checks": len(checks),
        "checks_passed": sum(checks.values()),
        "failed": [name for name, ok in checks.items() if not ok],
    }
