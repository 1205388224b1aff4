"""The archive index tables, as typed SQLAlchemy models.

Every schema change is an Alembic migration in `migrations/versions`; these models
describe the head revision and a test holds them to it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so later migrations can alter them on any backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC on every backend: SQLite keeps no offset, so it stores the naive
    UTC value and the offset is put back on reading; a naive value in is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[int]: JSON}  # noqa: RUF012


class Record(Base):
    """One declared record: what it is, whose, where the ECM holds it, what it replaced."""

    __tablename__ = "records"

    record_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    flow: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    store_hash: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(100))
    part: Mapped[str | None] = mapped_column(String(100))
    ecm_name: Mapped[str] = mapped_column(String(255))
    ecm_node_id: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    record_date: Mapped[date] = mapped_column(Date)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # ECM node ids of the earlier versions, ascending: what the SUPERSEDES links say.
    supersedes: Mapped[list[int]] = mapped_column(JSON)
    rsi: Mapped[str] = mapped_column(String(60))
    file_plan_version: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_records_store_subject", "store_hash", "subject_kind", "subject_id"),
        Index("ix_records_kind", "kind"),
    )


class OrderLine(Base):
    """One product line of an archived order, as its latest archived snapshot shows it."""

    __tablename__ = "order_lines"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sku: Mapped[str] = mapped_column(String(255))
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    order_date: Mapped[datetime] = mapped_column(UTCDateTime())
    ship_to_country: Mapped[str] = mapped_column(String(2))
    # The order's customer (0: a guest), for a recall's affected-orders report.
    customer_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_order_lines_sku", "sku"),
        Index("ix_order_lines_sku_order_date", "sku", "order_date"),
        Index("ix_order_lines_product_order_date", "product_id", "order_date"),
        Index("ix_order_lines_variant_order_date", "variant_id", "order_date"),
    )


class AuditEvent(Base):
    """One event of the Redis audit stream, copied before the stream is trimmed."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    stream_id: Mapped[str] = mapped_column(String(40), unique=True)
    record_key: Mapped[str] = mapped_column(String(200), index=True)
    event: Mapped[str] = mapped_column(String(100))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DisclosureVersion(Base):
    """One distinct content of one disclosure (a page, a channel's checkout terms or
    privacy settings), and the record that files it."""

    __tablename__ = "disclosure_versions"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2048))
    state: Mapped[str] = mapped_column(String(20))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The text exactly as the API returned it: what `bcrm disclosures diff` compares.
    text: Mapped[str] = mapped_column(Text)
    record_key: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_disclosure_versions_channel", "store_hash", "channel_id"),)


class DisclosureRun(Base):
    """Consecutive looks that saw one version of a disclosure with no change event between
    them: seen live from `first_seen` to `last_seen`. `watched`: every look in the run had
    the store's change webhooks for the disclosure registered and active."""

    __tablename__ = "disclosure_runs"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    store_hash: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    looks: Mapped[int] = mapped_column(Integer)
    watched: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_disclosure_runs_disclosure", "store_hash", "kind", "subject", "first_seen"),
    )


class DisclosureEvent(Base):
    """A change webhook the store sent about a disclosure: `occurred_at` is its payload's
    `created_at` (the store's clock), evidence that a change happened then."""

    __tablename__ = "disclosure_events"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_disclosure_events_disclosure", "store_hash", "kind", "subject", "occurred_at"),
    )


class DisclosureChannel(Base):
    """When bcrm first and last looked at a channel's disclosures (a look of a channel with
    no pages still counts)."""

    __tablename__ = "disclosure_channels"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_look: Mapped[datetime] = mapped_column(UTCDateTime())
    last_look: Mapped[datetime] = mapped_column(UTCDateTime())


class DisclosureReceipt(Base):
    """The as-of answer for one order, frozen the first time its receipt was owed: the
    receipt is rendered from it and never re-issued with a later, better guess."""

    __tablename__ = "disclosure_receipts"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class Case(Base):
    """One customer-service case (flow 2): its facts as the latest intake left them."""

    __tablename__ = "cases"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A legal hold was asked for (reason `dispute` or `--hold`), and later released.
    hold: Mapped[bool] = mapped_column(Boolean)
    hold_released: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseOrder(Base):
    """An order a case is about."""

    __tablename__ = "case_orders"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)

    __table_args__ = (Index("ix_case_orders_store_order", "store_hash", "order_id"),)


class CaseMessage(Base):
    """One message of a case's helpdesk thread (its text is personal data: never logged)."""

    __tablename__ = "case_messages"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    author_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)


class CaseAttachment(Base):
    """An attachment of a case, numbered in order of arrival; its bytes are staged under
    `sha256` until its record is declared."""

    __tablename__ = "case_attachments"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("store_hash", "case_id", "sha256", "name"),)


class CaseEvent(Base):
    """An intake event already applied to its case (deliveries repeat)."""

    __tablename__ = "case_events"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SubjectHold(Base):
    """A hold every record of a subject must carry while it is open, including records
    declared later (declare looks here); any flow may open one."""

    __tablename__ = "subject_holds"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    hold_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecallRow(Base):
    """A product recall (flow 6) as the ECM's Recall workspace and category last said it.

    `identifiers` is `{"skus": [...], "gtins": [...], "mpns": [...], "lots": [...]}`; the
    ids they resolve to are in `recall_items`. `decision` is `open` or `closed`; the
    recall's legal hold stays until `holds_released_at` (closing alone keeps it).
    """

    __tablename__ = "recalls"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSON)
    sold_from: Mapped[datetime] = mapped_column(UTCDateTime())
    sold_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hazard: Mapped[str] = mapped_column(Text)
    remedy: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    opened_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holds_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    workspace_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecallItem(Base):
    """A product or variant a recall's identifiers resolved to (`variant_id` 0: the
    product itself, every variant of it)."""

    __tablename__ = "recall_items"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    variant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sku: Mapped[str] = mapped_column(String(255))
    matched_by: Mapped[str] = mapped_column(String(20))

    __table_args__ = (Index("ix_recall_items_store_product", "store_hash", "product_id"),)


class RecallOrder(Base):
    """An order found to contain a recalled item, and how it was found (`index`: the
    archive index's order lines; `scan`: paged from the store's orders)."""

    __tablename__ = "recall_orders"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    found_by: Mapped[str] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecallScan(Base):
    """Where `bcrm recalls scan` got to in paging the store's orders, so it resumes."""

    __tablename__ = "recall_scans"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    next_page: Mapped[int] = mapped_column(Integer)
    orders_read: Mapped[int] = mapped_column(Integer)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignRow(Base):
    """A marketing campaign (flow 7) as the ECM's Campaign workspace and category last
    said it: its approved scope (window, channels, countries, currencies, largest
    discount) and its decision, which the promotion checks hold live promotions to.

    `max_discount_percent` is a decimal string (`"20"`); `approved_fingerprints` are the
    promotion versions the approval covered (`{"<promotion id>": "<sha256>"}`).
    """

    __tablename__ = "campaigns"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channels: Mapped[list[int]] = mapped_column(JSON)
    countries: Mapped[list[str]] = mapped_column(JSON)
    currencies: Mapped[list[str]] = mapped_column(JSON)
    max_discount_percent: Mapped[str | None] = mapped_column(String(20))
    approved_fingerprints: Mapped[dict[str, str]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    workspace_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignLink(Base):
    """A promotion id or coupon code a campaign covers (`kind` `promotion` or `coupon`)."""

    __tablename__ = "campaign_links"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), primary_key=True)

    __table_args__ = (Index("ix_campaign_links_store_kind_ref", "store_hash", "kind", "ref"),)


class PriceRow(Base):
    """One observed price of a product (`variant_id` 0) or variant in one currency: the
    `seq`-th distinct (price, sale price) polling saw, in minor units (`sale_price_minor`
    0 = no sale price). `effective_at` is the catalog's `date_modified` when it was first
    seen (the store's own time of its last change), `first_seen_at` the poll's time."""

    __tablename__ = "price_history"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    variant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    price_minor: Mapped[int] = mapped_column(BigInteger)
    sale_price_minor: Mapped[int] = mapped_column(BigInteger)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PriceObservation(Base):
    """How far a store's price history reaches: observation began with the first full
    catalog read (`began_at`); `checkpoint` is the newest `date_modified` seen;
    `polled_at` when the last poll finished (the stream's lag)."""

    __tablename__ = "price_observation"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    began_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_full_read_at: Mapped[datetime] = mapped_column(UTCDateTime())
    polled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checkpoint: Mapped[datetime | None] = mapped_column(UTCDateTime())
    polls: Mapped[int] = mapped_column(Integer)


class OrderLineDiscount(Base):
    """One `applied_discounts` entry of an archived order line: the promotion id (or
    `total-coupon`, `manual-discount`...) and code (`""` when none), amount in minor units
    of the order's currency."""

    __tablename__ = "order_line_discounts"

    store_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    discount_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    target: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    order_date: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_order_line_discounts_store_discount", "store_hash", "discount_id"),
        Index("ix_order_line_discounts_store_code", "store_hash", "code"),
    )
