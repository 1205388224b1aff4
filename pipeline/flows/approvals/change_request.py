"""A change request as the publish stage sees it: what to change, on what, to which
after-state, against which approved before-state, and the hashes the approval binds.

The hashes are SHA-256 of canonical JSON (sorted keys, no spaces, numbers as normalised
decimal strings), so 12.5, 12.50 and Decimal("12.5") are one value: BigCommerce answers
prices as JSON numbers that our client reads as Decimal, the request document stores
them as written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CHANGE_TYPES = (
    "product_price",
    "product_launch",
    "product_takedown",
    "promotion",
    "page",
    "refund_exception",
)
STATUSES = ("requested", "approved", "rejected", "published", "refused", "expired", "cancelled")


def canonical(value: Any) -> Any:
    """`value` with every number as a normalised decimal string (booleans stay booleans)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        text = format(Decimal(str(value)).normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def digest(value: Any) -> str:
    raw = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class ChangeRequest:
    """`target` names the object (`product/12`, `product/12/variant/40`, `promotion`);
    `after` the governed fields as they must be once published, `before` the same fields
    as they were read when the change was requested (None for a creation: nothing there)."""

    id: str
    store_hash: str
    change_type: str
    target: str
    after: dict[str, Any]
    before: dict[str, Any] | None
    reason: str = ""

    @property
    def payload_sha256(self) -> str:
        return digest({"type": self.change_type, "target": self.target, "after": self.after})

    @property
    def before_sha256(self) -> str:
        return digest(self.before)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "store_hash": self.store_hash,
            "type": self.change_type,
            "target": self.target,
            "after": canonical(self.after),
            "before": canonical(self.before),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChangeRequest:
        return cls(
            id=str(data["id"]),
            store_hash=str(data["store_hash"]),
            change_type=str(data["type"]),
            target=str(data["target"]),
            after=dict(data["after"]),
            before=None if data["before"] is None else dict(data["before"]),
            reason=str(data.get("reason", "")),
        )
