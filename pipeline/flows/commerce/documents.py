"""Which documents an order owes, what each one is called, and when it is dated.

Rules follow the BigCommerce status ids (reference §4.5; map by id, merchants rename
labels). A ``DocumentSpec`` carries a fingerprint of exactly the facts its document shows,
minus the fields that move on their own as an order progresses (status, shipped and
refunded counters, ``date_modified``). That is what keeps an invoice the same record when
the order later ships or is refunded, and makes it a new version when a line changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from marshmallow import Schema

from pipeline.core.contract import DocumentSpec, Subject
from schemas.bigcommerce import (
    LineItem,
    LineItemSchema,
    OrderSchema,
    RefundSchema,
    ShipmentSchema,
    ShippingAddressSchema,
    TransactionSchema,
)
from schemas.snapshot import SNAPSHOT_SCHEMA, OrderSnapshot, SellerSchema, canonical_json


class DocumentKind(StrEnum):
    ORDER_RECORD = "order_record"
    INVOICE = "invoice"
    PACKING_SLIP = "packing_slip"
    SHIPPING_CONFIRMATION = "shipping_confirmation"
    CREDIT_NOTE = "credit_note"
    PAYMENT_RECORD = "payment_record"
    TAX_BREAKDOWN = "tax_breakdown"


class OrderStatus:
    """BigCommerce order status ids (``GET /v2/order_statuses``)."""

    INCOMPLETE = 0
    PENDING = 1
    SHIPPED = 2
    PARTIALLY_SHIPPED = 3
    REFUNDED = 4
    CANCELLED = 5
    DECLINED = 6
    AWAITING_PAYMENT = 7
    AWAITING_PICKUP = 8
    AWAITING_SHIPMENT = 9
    COMPLETED = 10
    AWAITING_FULFILLMENT = 11
    MANUAL_VERIFICATION_REQUIRED = 12
    DISPUTED = 13
    PARTIALLY_REFUNDED = 14


# Statuses BigCommerce counts as paid, plus the two refund states: money was taken first.
PAID_STATUSES = frozenset(
    {
        OrderStatus.SHIPPED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.REFUNDED,
        OrderStatus.AWAITING_PICKUP,
        OrderStatus.AWAITING_SHIPMENT,
        OrderStatus.COMPLETED,
        OrderStatus.AWAITING_FULFILLMENT,
        OrderStatus.DISPUTED,
        OrderStatus.PARTIALLY_REFUNDED,
    }
)
FULFILMENT_STARTED_STATUSES = frozenset(
    {
        OrderStatus.SHIPPED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.AWAITING_PICKUP,
        OrderStatus.AWAITING_SHIPMENT,
        OrderStatus.COMPLETED,
        OrderStatus.AWAITING_FULFILLMENT,
    }
)
COMPLETED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.COMPLETED})
CANCELLED_STATUSES = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})
SETTLED_TRANSACTION_EVENTS = frozenset({"purchase", "capture", "settled"})

# Fields that change as the order moves on without changing what a document says.
VOLATILE_ORDER_FIELDS = frozenset(
    {
        "status",
        "status_id",
        "date_modified",
        "date_shipped",
        "payment_status",
        "refunded_amount",
        "items_shipped",
    }
)
VOLATILE_LINE_FIELDS = frozenset({"quantity_shipped", "quantity_refunded", "refund_amount"})
VOLATILE_CONSIGNMENT_FIELDS = frozenset({"items_shipped"})

# The flow that files each order document: commerce the transaction records, fulfilment
# the tax and fulfilment documents (DESIGN, flows 1 and 5); one fetch serves both.
ORDER_KIND_FLOWS: Mapping[DocumentKind, str] = {
    DocumentKind.ORDER_RECORD: "commerce",
    DocumentKind.INVOICE: "commerce",
    DocumentKind.CREDIT_NOTE: "commerce",
    DocumentKind.PAYMENT_RECORD: "commerce",
    DocumentKind.TAX_BREAKDOWN: "fulfilment",
    DocumentKind.PACKING_SLIP: "fulfilment",
    DocumentKind.SHIPPING_CONFIRMATION: "fulfilment",
}
# What the part of each per-part kind names, as it appears in file names.
PART_LABELS = {
    DocumentKind.PACKING_SLIP: "consignment",
    DocumentKind.SHIPPING_CONFIRMATION: "shipment",
    DocumentKind.CREDIT_NOTE: "refund",
    DocumentKind.PAYMENT_RECORD: "transaction",
}
ORDER = "order"


def order_name(kind: DocumentKind) -> str:
    """The name template of an order document (`pipeline.core.names` fills it): the names
    every order record was declared under, `order-100-packing-slip-consignment-301`."""
    stem = f"order-{{subject}}-{kind.value.replace('_', '-')}"
    label = PART_LABELS.get(kind)
    return stem if label is None else f"{stem}-{label}-{{part}}"


def order_id(spec: DocumentSpec) -> int:
    return int(spec.subject.id)


def part_id(spec: DocumentSpec) -> int:
    """The id of the order part (consignment, shipment, refund, transaction) a per-part
    document is about."""
    return int(str(spec.part))


_LINE = LineItemSchema()
_SELLER = SellerSchema()
_ORDER = OrderSchema()
_CONSIGNMENT = ShippingAddressSchema()
_SHIPMENT = ShipmentSchema()
_REFUND = RefundSchema()
_TRANSACTION = TransactionSchema()


def _dump(schema: Schema, obj: Any, drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {key: value for key, value in schema.dump(obj).items() if key not in drop}


def _lines(lines: Any) -> list[dict[str, Any]]:
    return [_dump(_LINE, line, VOLATILE_LINE_FIELDS) for line in lines]


def _header(snapshot: OrderSnapshot) -> dict[str, Any]:
    return {
        "seller": _dump(_SELLER, snapshot.seller),
        "order": _dump(_ORDER, snapshot.order, VOLATILE_ORDER_FIELDS),
    }


def _commercial_facts(snapshot: OrderSnapshot, _: str | None) -> dict[str, Any]:
    dumped = SNAPSHOT_SCHEMA.dump(snapshot)
    return {
        **_header(snapshot),
        "products": _lines(snapshot.products),
        "taxes": dumped["taxes"],
        "coupons": dumped["coupons"],
    }


def _order_record_facts(snapshot: OrderSnapshot, _: str | None) -> dict[str, Any]:
    dumped = SNAPSHOT_SCHEMA.dump(snapshot)
    dumped["order"].pop("date_modified")
    return dumped


def _packing_slip_facts(snapshot: OrderSnapshot, sub_id: str | None) -> dict[str, Any]:
    consignment = snapshot.shipping_address(int(str(sub_id)))
    return {
        **_header(snapshot),
        "consignment": _dump(_CONSIGNMENT, consignment, VOLATILE_CONSIGNMENT_FIELDS),
        "products": _lines(consignment_lines(snapshot, consignment.id)),
    }


def _shipping_confirmation_facts(snapshot: OrderSnapshot, sub_id: str | None) -> dict[str, Any]:
    shipment = snapshot.shipment(int(str(sub_id)))
    consignment = snapshot.shipping_address(shipment.order_address_id)
    return {
        **_header(snapshot),
        "shipment": _dump(_SHIPMENT, shipment),
        "consignment": _dump(_CONSIGNMENT, consignment, VOLATILE_CONSIGNMENT_FIELDS),
        "products": _lines(snapshot.product(item.order_product_id) for item in shipment.items),
    }


def _credit_note_facts(snapshot: OrderSnapshot, sub_id: str | None) -> dict[str, Any]:
    return {
        **_header(snapshot),
        "refund": _dump(_REFUND, snapshot.refund(int(str(sub_id)))),
        "products": _lines(snapshot.products),
    }


def _payment_record_facts(snapshot: OrderSnapshot, sub_id: str | None) -> dict[str, Any]:
    return {
        **_header(snapshot),
        "transaction": _dump(_TRANSACTION, snapshot.transaction(int(str(sub_id)))),
    }


_FACTS: Mapping[DocumentKind, Callable[[OrderSnapshot, str | None], dict[str, Any]]] = {
    DocumentKind.ORDER_RECORD: _order_record_facts,
    DocumentKind.INVOICE: _commercial_facts,
    DocumentKind.TAX_BREAKDOWN: _commercial_facts,
    DocumentKind.PACKING_SLIP: _packing_slip_facts,
    DocumentKind.SHIPPING_CONFIRMATION: _shipping_confirmation_facts,
    DocumentKind.CREDIT_NOTE: _credit_note_facts,
    DocumentKind.PAYMENT_RECORD: _payment_record_facts,
}


def _fingerprint(kind: DocumentKind, part: str | None, facts: Mapping[str, Any]) -> str:
    framed = {"kind": kind.value, "sub_id": part, "facts": facts}
    return hashlib.sha256(canonical_json(framed)).hexdigest()


def order_document(
    snapshot: OrderSnapshot, kind: DocumentKind, part: str | None = None
) -> DocumentSpec:
    """The spec of one document of an order, whether or not it is due yet."""
    facts = _FACTS[kind](snapshot, part)
    return DocumentSpec(
        flow=ORDER_KIND_FLOWS[kind],
        kind=kind.value,
        store_hash=snapshot.store_hash,
        subject=Subject(ORDER, str(snapshot.order.id)),
        part=part,
        fingerprint=_fingerprint(kind, part, facts),
    )


def consignment_lines(snapshot: OrderSnapshot, address_id: int) -> list[LineItem]:
    return [line for line in snapshot.products if line.order_address_id == address_id]


def is_paid(snapshot: OrderSnapshot) -> bool:
    """Paid by status, or by a successful settling transaction when the status lags."""
    if snapshot.order.status_id in PAID_STATUSES:
        return True
    return any(
        item.status == "ok" and item.event in SETTLED_TRANSACTION_EVENTS
        for item in snapshot.transactions
    )


def is_closed(snapshot: OrderSnapshot) -> bool:
    """Completed or cancelled; a partly refunded order counts once every item has shipped."""
    order = snapshot.order
    if order.status_id in COMPLETED_STATUSES | CANCELLED_STATUSES:
        return True
    return (
        order.status_id == OrderStatus.PARTIALLY_REFUNDED
        and order.items_total > 0
        and order.items_shipped >= order.items_total
    )


def _consignments_in_fulfilment(snapshot: OrderSnapshot) -> list[int]:
    shipped_to = {shipment.order_address_id for shipment in snapshot.shipments}
    started = snapshot.order.status_id in FULFILMENT_STARTED_STATUSES
    return [
        address.id
        for address in snapshot.shipping_addresses
        if (started or address.id in shipped_to) and consignment_lines(snapshot, address.id)
    ]


def _whole_order_documents(snapshot: OrderSnapshot) -> list[tuple[DocumentKind, str | None]]:
    """The due documents about the whole order: the only ones whose facts hold its taxes
    and coupons (order record, invoice, tax breakdown)."""
    wanted: list[tuple[DocumentKind, str | None]] = []
    if is_closed(snapshot):
        wanted.append((DocumentKind.ORDER_RECORD, None))
    if is_paid(snapshot):
        wanted += [(DocumentKind.INVOICE, None), (DocumentKind.TAX_BREAKDOWN, None)]
    return wanted


def shows_taxes(snapshot: OrderSnapshot) -> bool:
    """Whether a due document shows the order's taxes and coupons; when none does, fetch
    saves the calls that read them (packing slips, shipping confirmations, credit notes and
    payment records print neither)."""
    return bool(_whole_order_documents(snapshot))


def due_parts(snapshot: OrderSnapshot) -> list[tuple[DocumentKind, str | None]]:
    """(kind, part) of every document the snapshot's current state calls for, in a stable
    order; cheap: no facts are gathered or hashed."""
    wanted = _whole_order_documents(snapshot)
    wanted += [(DocumentKind.PACKING_SLIP, str(i)) for i in _consignments_in_fulfilment(snapshot)]
    wanted += [(DocumentKind.SHIPPING_CONFIRMATION, str(s.id)) for s in snapshot.shipments]
    wanted += [(DocumentKind.CREDIT_NOTE, str(r.id)) for r in snapshot.refunds]
    wanted += [(DocumentKind.PAYMENT_RECORD, str(t.id)) for t in snapshot.transactions]
    return wanted


def due_documents(
    snapshot: OrderSnapshot, kinds: Collection[str] | None = None
) -> list[DocumentSpec]:
    """Every document the snapshot's current state calls for (of both flows that file
    order documents, or of `kinds` only), in a stable order."""
    return [
        order_document(snapshot, kind, part)
        for kind, part in due_parts(snapshot)
        if kinds is None or kind in kinds
    ]


def document_date(snapshot: OrderSnapshot, spec: DocumentSpec) -> datetime:
    """When the document was made, from the facts' own times (never the wall clock, so the
    same snapshot renders the same bytes): its PDF creation date and XMP CreateDate.

    A per-part document is made by its event: the shipment's, refund's or transaction's
    time. A whole-order document (invoice, tax breakdown, packing slip) shows the order as
    BigCommerce last changed it, `date_modified`; the order record also its history's
    latest event, which a refund does not always carry into `date_modified`. The date
    printed as the invoice date is the order's creation (payment), not this."""
    order = snapshot.order
    sub_id = int(spec.part) if spec.part is not None else 0
    match spec.kind:
        case DocumentKind.SHIPPING_CONFIRMATION:
            return snapshot.shipment(sub_id).date_created
        case DocumentKind.CREDIT_NOTE:
            return snapshot.refund(sub_id).created
        case DocumentKind.PAYMENT_RECORD:
            return snapshot.transaction(sub_id).date_created
        case DocumentKind.ORDER_RECORD:
            return max(order.date_modified, last_business_event(snapshot))
        case _:
            return order.date_modified


def last_business_event(snapshot: OrderSnapshot) -> datetime:
    """The latest dated event the snapshot knows: what an order record is 'as of'."""
    dates = [snapshot.order.date_created]
    dates += [snapshot.order.date_shipped] if snapshot.order.date_shipped else []
    dates += [shipment.date_created for shipment in snapshot.shipments]
    dates += [refund.created for refund in snapshot.refunds]
    dates += [transaction.date_created for transaction in snapshot.transactions]
    return max(dates)
