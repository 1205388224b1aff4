"""What a maker asks for: a typed change checked against its type's fields, its
before-state read live from BigCommerce, then filed in the ECM as the maker
(`change_requests.file_request`). Bad input is a `BadChange` naming what is wrong."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import CHANGE_TYPES, ChangeRequest, canonical
from pipeline.flows.approvals.targets import UnknownTarget, target_of
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import NotFound
from pipeline.integrations.otcs.client import OTCSClient

# Per change type, the fields `--set` may name, and which of them are money.
FIELDS: Mapping[str, frozenset[str]] = {
    "product_price": frozenset({"price", "sale_price", "retail_price"}),
    "product_launch": frozenset({"is_visible", "availability"}),
    "product_takedown": frozenset(
        {"is_visible", "availability", "purchasing_disabled", "purchasing_disabled_message"}
    ),
    "refund_exception": frozenset({"amount", "reason"}),
    "page": frozenset({"body", "name", "is_visible", "meta_title", "meta_description"}),
    "promotion": frozenset(
        {
            "name",
            "redemption_type",
            "rules",
            "status",
            "start_date",
            "end_date",
            "currency_code",
            "max_uses",
        }
    ),
}
MONEY = frozenset({"price", "sale_price", "retail_price", "amount"})
BOOLEANS = frozenset({"is_visible", "purchasing_disabled"})
ENUMS: Mapping[str, frozenset[str]] = {
    "availability": frozenset({"available", "disabled", "preorder"}),
    "redemption_type": frozenset({"AUTOMATIC", "COUPON"}),
    "status": frozenset({"ENABLED", "DISABLED"}),
}
JSON_FIELDS = frozenset({"rules"})


class BadChange(ValueError):
    """A change request that cannot be filed as given (the message says why)."""


def _value(field: str, text: str) -> Any:
    if field in MONEY:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise BadChange(f"{field}={text!r} is not a decimal amount") from None
        if not amount.is_finite() or amount < 0:
            raise BadChange(f"{field}={text!r} must be a non-negative amount")
        return canonical(amount)
    if field in BOOLEANS:
        if text.lower() not in ("true", "false"):
            raise BadChange(f"{field}={text!r} must be true or false")
        return text.lower() == "true"
    if field in ENUMS and text not in ENUMS[field]:
        raise BadChange(f"{field}={text!r} must be one of {', '.join(sorted(ENUMS[field]))}")
    if field in JSON_FIELDS:
        try:
            return json.loads(text)
        except ValueError:
            raise BadChange(f"{field} must be JSON") from None
    if field == "max_uses":
        if not text.isdigit():
            raise BadChange(f"max_uses={text!r} must be a whole number")
        return int(text)
    return text


def after_state(change_type: str, assignments: Mapping[str, str]) -> dict[str, Any]:
    """`--set FIELD=VALUE` pairs as typed values, each field one the type governs."""
    if change_type not in FIELDS:
        known = ", ".join(t for t in CHANGE_TYPES if t in FIELDS)
        raise BadChange(f"change type {change_type!r} cannot be requested here (use {known})")
    unknown = sorted(set(assignments) - FIELDS[change_type])
    if unknown:
        allowed = ", ".join(sorted(FIELDS[change_type]))
        raise BadChange(f"{change_type} has no field {unknown[0]!r} (fields: {allowed})")
    if not assignments:
        raise BadChange("nothing to change: give at least one --set FIELD=VALUE")
    return {field: _value(field, text) for field, text in assignments.items()}


def request_change(
    maker: OTCSClient,
    bigcommerce: BigCommerceClient,
    store_hash: str,
    change_type: str,
    target: str,
    assignments: Mapping[str, str],
    reason: str = "",
    effective_from: str = "",
) -> ChangeRequest:
    """Check the change, read its before-state, file it as `maker`; the filed request."""
    draft = ChangeRequest(
        "", store_hash, change_type, target, after_state(change_type, assignments), None, reason
    )
    try:
        addressed = target_of(draft)
        live = addressed.read(bigcommerce, draft)  # also how a missing target shows
    except UnknownTarget as exc:
        raise BadChange(str(exc).split(": ", 1)[1]) from None
    except NotFound:
        raise BadChange(f"target {target} does not exist in store {store_hash}") from None
    change_id = change_requests.next_change_id(maker, store_hash)
    before = None if addressed.creates else live
    change = ChangeRequest(
        change_id, store_hash, change_type, draft.target, draft.after, before, reason
    )
    change_requests.file_request(maker, change, effective_from)
    return change
