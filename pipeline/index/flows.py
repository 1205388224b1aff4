"""Which flow each document kind belongs to, in one place.

The index stores a record's flow so reports can group by it; the ECM does not hold it, so
a rebuild derives it from the document kind with this same map. When the flow registry
lands, `flow_of` becomes a lookup there and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping

FLOW_OF_KIND: Mapping[str, str] = {
    "order_record": "commerce",
    "invoice": "commerce",
    "credit_note": "commerce",
    "payment_record": "commerce",
    "tax_breakdown": "fulfilment",
    "packing_slip": "fulfilment",
    "shipping_confirmation": "fulfilment",
    "tax_summary_monthly": "fulfilment",
}


class UnknownKind(ValueError):
    """A document kind no flow claims: the index would file it under no flow."""


def flow_of(kind: str) -> str:
    try:
        return FLOW_OF_KIND[kind]
    except KeyError:
        raise UnknownKind(f"document kind {kind!r} belongs to no flow") from None
