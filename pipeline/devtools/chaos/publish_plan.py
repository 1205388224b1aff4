"""The change requests `bcrm chaos publish` files, and how each is decided: legitimate
ones (a price change, a product launch, a variant takedown, a promotion: each on a target
of its own, so one publish can never look like drift to another) approved by the
approver, and forged ones, each refused for its own reason:

- decided by the requester (`change_requests.decide` as the maker);
- decided by a user in no approver group, naming themselves;
- the payload edited after approval: the maker adds a version of the request document
  with a deeper price cut once the approver has decided (the ECM keeps the approved
  payload hash in the category; the document no longer has it);
- decided by a user with no right to decide, naming the approver as "Decided By" (the
  category's free text says what a careless check would accept; the audit trail says
  who wrote it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pipeline.devtools.approvals_staff import ApprovalsStaff
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import ApprovalsPolicy
from pipeline.flows.approvals.requesting import request_change
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient

# Forgery → what its refusal's reason must say.
FORGERIES: dict[str, str] = {
    "decided by the requester": "separation of duties",
    "decided by a user outside the group": "not in the approver group",
    "payload edited after approval": "payload edited",
    "decided by a user with no right to decide": "not in the approver group",
}
# The legitimate changes of a run, in turn: every type early, then mostly prices.
LEGIT_TYPES = ("product_price", "promotion", "product_takedown", "product_launch",
               "product_price", "product_price", "promotion", "product_price")  # fmt: skip
PROMOTION_RULE = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}
# Below approvals.toml's 30 % drop: one approver suffices.
PRICE_FACTORS = ("1.05", "1.10", "0.90", "1.25", "0.85")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Planned:
    """A filed change request and the forgery done to its approval ("" if none)."""

    change: ChangeRequest
    forgery: str = ""

    @property
    def legitimate(self) -> bool:
        return not self.forgery


class Catalog:
    """Targets handed out once each: visible products (prices, takedowns of a variant of
    a product with options) and hidden ones (launches)."""

    def __init__(self, client: BigCommerceClient) -> None:
        products = client.get_v3("/catalog/products", {"limit": 250, "include": "variants"})
        self._visible = iter([p for p in products if p["is_visible"]])
        self._hidden = iter([p for p in products if not p["is_visible"]])

    def request(self, change_type: str, n: int) -> tuple[str, str, dict[str, str]]:
        """The type, target and `--set` assignments of the `n`-th change (a launch is a
        price change once every hidden product is launched)."""
        if change_type == "product_launch":
            hidden = next(self._hidden, None)
            if hidden is not None:
                launch = {"is_visible": "true", "availability": "available"}
                return change_type, f"product/{hidden['id']}", launch
            change_type = "product_price"
        if change_type == "promotion":
            rules = json.dumps([PROMOTION_RULE])
            promotion = {"name": f"Chaos {n}", "redemption_type": "AUTOMATIC", "rules": rules}
            return change_type, "promotion", promotion
        product = next(self._visible)
        if change_type == "product_takedown":
            while len(product["variants"]) < 2:
                product = next(self._visible)
            variant = product["variants"][n % len(product["variants"])]
            takedown = {"purchasing_disabled": "true",
                        "purchasing_disabled_message": "Held back for a safety check"}  # fmt: skip
            return change_type, f"product/{product['id']}/variant/{variant['id']}", takedown
        price = Decimal(str(product["price"])) * Decimal(PRICE_FACTORS[n % len(PRICE_FACTORS)])
        return change_type, f"product/{product['id']}", {"price": str(price.quantize(CENT))}


def _legit_types(count: int, start: int) -> Iterator[str]:
    return (LEGIT_TYPES[(start + i) % len(LEGIT_TYPES)] for i in range(count))


def file_wave(
    staff: ApprovalsStaff,
    client: BigCommerceClient,
    store_hash: str,
    catalog: Catalog,
    legit: int,
    forgeries: list[str],
    start: int,
) -> list[Planned]:
    """File `legit` legitimate change requests and one per forgery, as the maker."""
    planned = []
    drafts = [(t, "") for t in _legit_types(legit, start)]
    drafts += [("product_price", forgery) for forgery in forgeries]
    for n, (change_type, forgery) in enumerate(drafts, start):
        kind, target, assignments = catalog.request(change_type, n)
        change = request_change(staff.maker.otcs, client, store_hash, kind, target,
                                assignments, reason="bcrm chaos publish")  # fmt: skip
        planned.append(Planned(change, forgery))
    return planned


def decide(staff: ApprovalsStaff, planned: Planned, policy: ApprovalsPolicy) -> None:
    """Approve a legitimate request as the approver, or forge the approval."""
    change_id, days = planned.change.id, policy.of(planned.change.change_type).valid_days
    if planned.forgery == "decided by the requester":
        change_requests.decide(staff.maker.otcs, change_id, True, days)
    elif planned.forgery == "decided by a user outside the group":
        change_requests.decide(staff.outsider.otcs, change_id, True, days)
    elif planned.forgery == "decided by a user with no right to decide":
        _decide_in_the_name_of(staff, change_id, days)
    else:
        change_requests.decide(staff.approver.otcs, change_id, True, days)
        if planned.forgery == "payload edited after approval":
            _edit_payload(staff, planned.change)


def _decide_in_the_name_of(staff: ApprovalsStaff, change_id: str, days: int) -> None:
    """The clerk writes an approval naming the approver as the one who decided."""
    otcs = staff.clerk.otcs
    now = datetime.now(UTC)
    definition = otcs.category(change_requests.CATEGORY)
    values = {
        "Decision": "approved",
        "Decided By": str(staff.approver.id),
        "Decided At": now.isoformat(timespec="seconds"),
        "Expires At": (now + timedelta(days=days)).isoformat(timespec="seconds"),
        "Status": "approved",
    }
    otcs.update_category(_workspace(otcs, change_id), definition.id, definition.values(values))


def _edit_payload(staff: ApprovalsStaff, change: ChangeRequest) -> None:
    """The maker uploads a new version of the approved request: half the price."""
    otcs = staff.maker.otcs
    folder = otcs.find_child(_workspace(otcs, change.id), change_requests.REQUEST_FOLDER)
    name = change_requests.request_document_name(change)
    document = None if folder is None else otcs.find_child(folder.id, name)
    if document is None:
        raise RuntimeError(f"{change.id}: no request document {name}")
    cheaper = {"price": str(Decimal(str(change.after["price"])) / 2)}
    edited = replace(change, after=cheaper)
    raw = json.dumps(edited.to_json(), sort_keys=True, indent=2).encode()
    otcs.add_version(document.id, raw, "application/json", name)


def _workspace(otcs: OTCSClient, change_id: str) -> int:
    node = otcs.find_workspace(change_requests.EXT_SYSTEM, change_requests.BO_TYPE, change_id)
    if node is None:
        raise RuntimeError(f"no change request {change_id} in the ECM")
    return node.id
