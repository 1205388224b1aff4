"""The facts the pipeline hands the index, and how both declare and rebuild derive them.

Declare knows a record's facts from the category attributes it files with the document;
a rebuild reads the same attributes back from the ECM. Deriving the row from those
attributes in one function (`row_from_attributes`) is what makes a rebuilt index equal to
the one declare wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pipeline.core import registry
from schemas.snapshot import OrderSnapshot

TAX_SUMMARY_KIND = "tax_summary_monthly"
# Disclosure versions (flow 4) are about a page or a channel, named by their Source ID.
DISCLOSURE_SUBJECT_KINDS = {
    "disclosure_page": "page",
    "disclosure_checkout_terms": "channel",
    "disclosure_privacy": "channel",
}

# Flow 2's kinds (`case_summary`, ...) are about a case, named in their Source ID.
CASE_KIND_PREFIX = "case_"
# Flow 6's kinds (`recall_affected_orders`, ...) are about a recall, named in their
# Source ID like a case's ("RCL-1/2026-W49": the recall, then the part).
RECALL_KIND_PREFIX = "recall_"
# "2024-03-EUR-DE": the month is the subject, currency and country the part.
_MONTH_LENGTH = len("2024-03")


@dataclass(frozen=True)
class DeclaredRecordRow:
    """One declared record as the index keeps it (see `models.Record`)."""

    record_key: str
    flow: str
    kind: str
    store_hash: str
    subject_kind: str
    subject_id: str
    part: str | None
    ecm_name: str
    ecm_node_id: int
    sha256: str
    record_date: date
    declared_at: datetime
    rsi: str
    file_plan_version: str
    supersedes: tuple[int, ...] = field(default=())

    @property
    def subject(self) -> str:
        return f"{self.subject_kind}:{self.subject_id}"


@dataclass(frozen=True)
class OrderLineRow:
    """One product line of an order (the order product id is `line_id`)."""

    line_id: int
    sku: str
    product_id: int | None
    variant_id: int | None
    quantity: int
    ship_to_country: str
    customer_id: int | None = None


def utc_seconds(moment: datetime) -> datetime:
    """The precision both sides share: the ECM reports whole seconds, naive ones as UTC."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=0)


def ecm_time(value: str) -> datetime:
    """A Content Server timestamp (`2026-05-10T12:00:00`, maybe with an offset)."""
    return utc_seconds(datetime.fromisoformat(value.replace("Z", "+00:00")))


def stream_time(stream_id: str) -> datetime:
    """When a Redis stream entry was added: its id is `<milliseconds>-<sequence>`."""
    return datetime.fromtimestamp(int(stream_id.split("-", 1)[0]) / 1000, tz=UTC)


def subject_of(
    kind: str, order_id: str, source_id: str, object_kind: str = "", object_id: str = ""
) -> tuple[str, str, str | None]:
    """(subject kind, subject id, part) from a record's Order ID and Source ID attributes,
    or, for a record about no order, its Object Type and Object ID where its flow names
    the subject there (a change request, a product, a promotion, a campaign). An order's
    records name their part there (a refund, a shipment): their subject is the order."""
    if kind == TAX_SUMMARY_KIND:
        return "store_month", source_id[:_MONTH_LENGTH], source_id[_MONTH_LENGTH + 1 :] or None
    if kind in DISCLOSURE_SUBJECT_KINDS:
        return DISCLOSURE_SUBJECT_KINDS[kind], source_id, None
    if kind.startswith(CASE_KIND_PREFIX):  # "C-1/2.png": the case, then the part
        case_id, _, part = source_id.partition("/")
        return "case", case_id, part or None
    if kind.startswith(RECALL_KIND_PREFIX):
        recall_id, _, part = source_id.partition("/")
        return "recall", recall_id, part or None
    if not order_id and object_kind and object_id:
        return object_kind, object_id, source_id or None
    return "order", order_id, source_id or None


def row_from_attributes(
    attributes: Mapping[str, str],
    *,
    ecm_name: str,
    ecm_node_id: int,
    rsi: str,
    record_date: date,
    declared_at: datetime,
    supersedes: Sequence[int] = (),
) -> DeclaredRecordRow:
    """The row of a record from its "Commerce Record" category attributes (by name, as
    classify makes them plus "SHA-256"), its RM classification, its node and the node ids
    of the earlier versions its SUPERSEDES links point at."""
    kind = attributes["Document Kind"]
    subject_kind, subject_id, part = subject_of(
        kind,
        attributes.get("Order ID", ""),
        attributes.get("Source ID", ""),
        attributes.get("Object Type", ""),
        attributes.get("Object ID", ""),
    )
    return DeclaredRecordRow(
        record_key=attributes["Record Key"],
        flow=registry.flow_of_kind(kind).name,
        kind=kind,
        store_hash=attributes["Store Hash"],
        subject_kind=subject_kind,
        subject_id=subject_id,
        part=part,
        ecm_name=ecm_name,
        ecm_node_id=ecm_node_id,
        sha256=attributes["SHA-256"],
        record_date=record_date,
        declared_at=utc_seconds(declared_at),
        rsi=rsi,
        file_plan_version=attributes["File Plan Version"],
        supersedes=tuple(sorted(set(supersedes))),
    )


def ship_to(countries: Mapping[int, str], address_id: int | None, billing_country: str) -> str:
    """A line ships to its consignment's country, or to the billing country when it has
    none (digital goods)."""
    return (countries.get(address_id or 0) or billing_country).upper()


def order_lines_of(snapshot: OrderSnapshot) -> list[OrderLineRow]:
    """The lines of an order snapshot."""
    countries = {a.id: a.country_iso2 for a in snapshot.shipping_addresses}
    billing = snapshot.order.billing_address
    fallback = billing.country_iso2 if billing is not None else ""
    return [
        OrderLineRow(
            line_id=line.id,
            sku=line.sku,
            product_id=line.product_id,
            variant_id=line.variant_id,
            quantity=line.quantity,
            ship_to_country=ship_to(countries, line.order_address_id, fallback),
            customer_id=snapshot.order.customer_id,
        )
        for line in snapshot.products
    ]
