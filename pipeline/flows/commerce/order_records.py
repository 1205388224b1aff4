"""What classify and declare need of an order document, whichever flow files it: the order's
tax jurisdiction, its record-date facts, its category attributes and its place in the
order's business workspace, cross-referenced to the documents it relates to.

Commerce (order record, invoice, credit notes, payments) and fulfilment (tax breakdown,
packing slips, shipping confirmations) both file order documents from the same snapshot,
into the same workspace, so this is shared rather than kept twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from pipeline.core.contract import (
    DocumentSpec,
    EcmNeeds,
    Link,
    Placement,
    UnknownRecordDate,
    Workspace,
)
from pipeline.core.names import stem
from pipeline.flows.commerce.documents import (
    PART_LABELS,
    DocumentKind,
    last_business_event,
    order_id,
    part_id,
)
from pipeline.flows.commerce.taxes import tax_country
from pipeline.records.classify import default_plan
from schemas.snapshot import OrderSnapshot

EXTERNAL_SYSTEM = "BigCommerce"
ORDER_WORKSPACE = "ORDER"

# (from kind, to kind, cross-reference type): the link always runs from → to, added by
# whichever of the two is declared second.
RELATIONS = (
    (DocumentKind.INVOICE, DocumentKind.ORDER_RECORD, "INVOICE_FOR"),
    (DocumentKind.CREDIT_NOTE, DocumentKind.INVOICE, "REFUND_OF"),
    (DocumentKind.PAYMENT_RECORD, DocumentKind.INVOICE, "PAYMENT_FOR"),
    (DocumentKind.SHIPPING_CONFIRMATION, DocumentKind.PACKING_SLIP, "SHIPMENT_OF"),
)

RECORD_DATES: Mapping[str, Callable[[OrderSnapshot, DocumentSpec], datetime]] = {
    "order.date_created": lambda snapshot, _: snapshot.order.date_created,
    "order.closed_at": lambda snapshot, _: last_business_event(snapshot),
    "shipment.date_created": lambda snapshot, spec: snapshot.shipment(part_id(spec)).date_created,
    "refund.created": lambda snapshot, spec: snapshot.refund(part_id(spec)).created,
    "transaction.date_created": (
        lambda snapshot, spec: snapshot.transaction(part_id(spec)).date_created
    ),
}
# A record date must come from the part of the order the document is about.
_ORDER_DATES = ("order.date_created", "order.closed_at")
RECORD_DATE_FACTS: Mapping[str, tuple[str, ...]] = {
    DocumentKind.ORDER_RECORD: _ORDER_DATES,
    DocumentKind.INVOICE: _ORDER_DATES,
    DocumentKind.TAX_BREAKDOWN: _ORDER_DATES,
    DocumentKind.PACKING_SLIP: _ORDER_DATES,
    DocumentKind.SHIPPING_CONFIRMATION: (*_ORDER_DATES, "shipment.date_created"),
    DocumentKind.CREDIT_NOTE: (*_ORDER_DATES, "refund.created"),
    DocumentKind.PAYMENT_RECORD: (*_ORDER_DATES, "transaction.date_created"),
}


def jurisdiction(snapshot: OrderSnapshot) -> str:
    """The country whose tax the order paid: its retention rules apply."""
    return tax_country(snapshot)


def record_date(snapshot: OrderSnapshot, spec: DocumentSpec, fact: str) -> datetime:
    if fact not in RECORD_DATE_FACTS.get(spec.kind, ()):
        raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
    return RECORD_DATES[fact](snapshot, spec)


# The attributes `category_attributes` fills (and a store-month's summary, in fulfilment),
# with the Content Server type each must have.
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(
    (
        "Object Type",
        "Object ID",
        "Order Number",
        "Order ID",
        "Source ID",
        "Customer ID",
        "Currency",
    ),
    "String",
)


def category_attributes(snapshot: OrderSnapshot, spec: DocumentSpec) -> dict[str, str]:
    """Commerce Record attribute values: identifiers only, never a customer's name or address."""
    order = str(order_id(spec))
    return {
        "Object Type": PART_LABELS.get(DocumentKind(spec.kind), "order"),
        "Object ID": spec.part or order,
        "Order Number": order,
        "Order ID": order,
        "Source ID": spec.part or "",
        "Customer ID": str(snapshot.order.customer_id),
        "Currency": snapshot.order.currency_code,
    }


def order_workspace(spec: DocumentSpec) -> Workspace:
    """One business workspace per store and order, whoever gets there first."""
    bo_id = f"{spec.store_hash}-{order_id(spec)}"
    return Workspace(ORDER_WORKSPACE, bo_id, f"Order {bo_id}")


def _counterpart_parts(
    snapshot: OrderSnapshot, spec: DocumentSpec, other: DocumentKind
) -> list[str | None]:
    """Parts of the `other` documents that `spec` relates to, within its order."""
    kind = DocumentKind(spec.kind)
    if other is DocumentKind.PACKING_SLIP and kind is DocumentKind.SHIPPING_CONFIRMATION:
        return [str(snapshot.shipment(part_id(spec)).order_address_id)]
    if other is DocumentKind.SHIPPING_CONFIRMATION and kind is DocumentKind.PACKING_SLIP:
        return [str(s.id) for s in snapshot.shipments if str(s.order_address_id) == spec.part]
    return [None]


def links(snapshot: OrderSnapshot, spec: DocumentSpec) -> tuple[Link, ...]:
    """Cross-references to every version of the documents this one relates to."""
    classes = default_plan().classes
    found: list[Link] = []
    for source, target, xref_type in RELATIONS:
        if spec.kind not in (source, target):
            continue
        other = target if spec.kind == source else source
        for part in _counterpart_parts(snapshot, spec, other):
            found.append(
                Link(
                    xref_type=xref_type,
                    folder=classes[other].folder,
                    stem=stem(other.value, spec.subject, part),
                    outgoing=spec.kind == source,
                )
            )
    return tuple(found)


def placement(snapshot: OrderSnapshot, spec: DocumentSpec, folder: str) -> Placement:
    """In the order's workspace, in its kind's folder, linked to what it relates to."""
    return Placement(
        folders=(folder,),
        workspace=order_workspace(spec),
        links=links(snapshot, spec),
    )


def ecm_needs(kinds: Collection[str]) -> EcmNeeds:
    """What documents of `kinds` filed in order workspaces need on the Content Server: the
    order workspace type, the attributes above and the cross-reference types of every
    relation one of them takes part in."""
    return EcmNeeds(
        workspace_types=frozenset({ORDER_WORKSPACE}),
        attributes=ATTRIBUTE_TYPES,
        xref_types=frozenset(
            xref for source, target, xref in RELATIONS if source in kinds or target in kinds
        ),
    )
