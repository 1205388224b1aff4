"""The demo's case files part (flow 2).

Among the live changes, a helpdesk opens a case about a delivered order through the
signed `POST /cases`, as a helpdesk would (the customer's message and a photo of the
damage), a customer disputes the second live order in BigCommerce (status Disputed, as a
chargeback sets it: bcrm opens a `dispute` case with a legal hold) and writes an order
message about it, and the helpdesk adds an agent's reply and closes its case. Nothing
here waits: the live round settles it all with the rest. At the end every case file of
the store is checked against the ECM (`case_files`: every link once, every record of a
held order on hold once, no hold left on a released case) and reported as
`flows.cases`; the records inventory has already found every case record exactly once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.devtools.case_files import check_case_files
from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.devtools.demo_summary import DemoSummary
from pipeline.devtools.helpdesk import CaseHeader, Helpdesk, attachment, message
from pipeline.flows.commerce.documents import OrderStatus
from pipeline.runtime import clients

HELPDESK_CASE = "HD-1001"
# A 1×1 PNG: the customer's photo of the damage, kept as it came.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class CaseActions:
    """What the demo did about cases, in words, the orders it touched, and any delivery
    the receiver refused."""

    done: list[str] = field(default_factory=list)
    orders: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _delivered_order(sandbox: Sandbox, fallback: int) -> int:
    """A completed (delivered) order of the seed, else `fallback`."""
    client = clients.bigcommerce(sandbox.store_hash)
    found = next(client.iter_orders(status_id=OrderStatus.COMPLETED, include=(), limit=5), None)
    return int(found["id"]) if found is not None else fallback


def act_on_cases(
    sandbox: Sandbox, helpdesk: Helpdesk, live_order: int, disputed: int
) -> CaseActions:
    """Open the helpdesk's case, dispute `disputed`, reply on the case and close it."""
    actions = CaseActions()
    returned = _delivered_order(sandbox, live_order)
    actions.orders |= {returned, disputed}
    now = datetime.now(UTC)
    header = CaseHeader(
        sandbox.store_hash, HELPDESK_CASE, (returned,), now, "return", "Parcel arrived damaged"
    )
    complaint = message("c1", "customer", now, "The parcel arrived crushed; photo attached.")
    reply = message("a1", "agent", now, "Sorry about that: a refund is on its way.")
    deliveries: list[dict[str, Any]] = [
        header.delivery("open", [complaint], [attachment("damage.png", "image/png", PHOTO)]),
        header.delivery("pending", [reply]),
        header.delivery("closed"),
    ]
    opening, *rest = deliveries
    actions.problems += _send(helpdesk, [opening])
    actions.done.append(
        f"a helpdesk opened case {HELPDESK_CASE} about order {returned} "
        "(POST /cases, a customer's message and a photo)"
    )
    status = {"status_id": OrderStatus.DISPUTED}
    sandbox.admin("bigcommerce", "PUT", f"/orders/{disputed}/status", status)
    body = {"message": "I did not place this order; my bank opened a chargeback."}
    sandbox.admin("bigcommerce", "POST", f"/orders/{disputed}/messages", body)
    actions.done.append(f"disputed order {disputed}, its customer writing about it")
    actions.problems += _send(helpdesk, rest)
    actions.done.append(f"the helpdesk replied on case {HELPDESK_CASE} and closed it")
    return actions


def _send(helpdesk: Helpdesk, deliveries: list[dict[str, Any]]) -> list[str]:
    problems = []
    for delivery in deliveries:
        answer = helpdesk.send(delivery)
        if (answer.status, answer.outcome) != (202, "accepted"):
            problems.append(
                f"case {delivery['case_id']} delivery ({delivery['status']}) answered "
                f"{answer.status} {answer.outcome}"
            )
    return problems


def add_case_files(sandbox: Sandbox, summary: DemoSummary, actions: CaseActions) -> None:
    """Check the store's case files against the ECM; their figures and problems into
    the summary."""
    check = check_case_files(sandbox.otcs["admin_url"], sandbox.store_hash)
    summary.cases = check.to_json()
    summary.problems += actions.problems + check.problems
