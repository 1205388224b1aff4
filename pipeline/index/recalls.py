"""Recalls (flow 6) in the archive index: each recall as the ECM last said it, the
products and variants its identifiers resolved to, and the affected orders found.

The ECM's Recall workspace is the system of record; these rows are what the gate, the
holds and the reports ask, and they can be rebuilt from the ECM. Adding items and
orders is idempotent (repeated polls, scans and deliveries add nothing twice) and
reports what was new, so a grown set re-issues its report exactly when it grew.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from pipeline.index.dialect import insert
from pipeline.index.holds import open_hold, release_hold
from pipeline.index.models import OrderLine, RecallItem, RecallOrder, RecallRow, RecallScan

ORDER = "order"  # the subject kind of an order's records
RECALL = "recall"  # and of a recall's own
OPEN = "open"
CLOSED = "closed"
PRODUCT_ITSELF = 0  # `variant_id` of an item that is the whole product


@dataclass(frozen=True)
class Identifiers:
    """What a recall names: SKUs, GTINs/UPCs, MPNs, and lots where known."""

    skus: tuple[str, ...] = ()
    gtins: tuple[str, ...] = ()
    mpns: tuple[str, ...] = ()
    lots: tuple[str, ...] = ()

    def as_json(self) -> dict[str, list[str]]:
        return {
            "skus": list(self.skus),
            "gtins": list(self.gtins),
            "mpns": list(self.mpns),
            "lots": list(self.lots),
        }

    @classmethod
    def from_json(cls, value: dict[str, list[str]]) -> Identifiers:
        return cls(*(tuple(value.get(name, ())) for name in ("skus", "gtins", "mpns", "lots")))


@dataclass(frozen=True)
class Recall:
    """A recall's facts. `decided_by` is not `opened_by` (separation of duties)."""

    store_hash: str
    recall_id: str
    identifiers: Identifiers
    sold_from: datetime
    sold_to: datetime | None
    hazard: str
    remedy: str
    severity: str
    decision: str = OPEN
    opened_by: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    holds_released_at: datetime | None = None
    workspace_id: int | None = None
    opened_at: datetime | None = None

    @property
    def hold_name(self) -> str:
        """The recall's LEGAL hold in the ECM: `RECALL-<store>-<id>`."""
        return f"RECALL-{self.store_hash}-{self.recall_id}"

    @property
    def is_open(self) -> bool:
        return self.decision == OPEN


@dataclass(frozen=True)
class RecalledItem:
    """A product (`variant_id` 0) or variant a recall covers, and which identifier
    matched it (`sku`, `gtin`, `upc`, `mpn`)."""

    product_id: int
    variant_id: int
    sku: str
    matched_by: str


def _recall(row: RecallRow) -> Recall:
    return Recall(
        store_hash=row.store_hash,
        recall_id=row.recall_id,
        identifiers=Identifiers.from_json(row.identifiers),
        sold_from=row.sold_from,
        sold_to=row.sold_to,
        hazard=row.hazard,
        remedy=row.remedy,
        severity=row.severity,
        decision=row.decision,
        opened_by=row.opened_by,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        closed_at=row.closed_at,
        holds_released_at=row.holds_released_at,
        workspace_id=row.workspace_id,
        opened_at=row.opened_at,
    )


class Recalls:
    """The recall tables of the archive index."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, recall: Recall) -> None:
        """Write the recall's facts as the ECM says them now (insert or replace)."""
        with Session(self.engine) as session, session.begin():
            session.merge(
                RecallRow(
                    store_hash=recall.store_hash,
                    recall_id=recall.recall_id,
                    identifiers=recall.identifiers.as_json(),
                    sold_from=recall.sold_from,
                    sold_to=recall.sold_to,
                    hazard=recall.hazard,
                    remedy=recall.remedy,
                    severity=recall.severity,
                    decision=recall.decision,
                    opened_by=recall.opened_by,
                    decided_by=recall.decided_by,
                    decided_at=recall.decided_at,
                    closed_at=recall.closed_at,
                    holds_released_at=recall.holds_released_at,
                    workspace_id=recall.workspace_id,
                    opened_at=recall.opened_at,
                    updated_at=datetime.now(UTC),
                )
            )

    def get(self, store_hash: str, recall_id: str) -> Recall | None:
        with Session(self.engine) as session:
            row = session.get(RecallRow, (store_hash, recall_id))
            return None if row is None else _recall(row)

    def listed(self, store_hash: str | None = None, decision: str | None = None) -> list[Recall]:
        """Recalls, oldest first, of one store and/or one decision when given."""
        query = select(RecallRow).order_by(RecallRow.sold_from, RecallRow.recall_id)
        if store_hash is not None:
            query = query.where(RecallRow.store_hash == store_hash)
        if decision is not None:
            query = query.where(RecallRow.decision == decision)
        with Session(self.engine) as session:
            return [_recall(row) for row in session.scalars(query)]

    def add_items(self, store_hash: str, recall_id: str, items: Iterable[RecalledItem]) -> int:
        """Record resolved items; returns how many were new. Idempotent in the database
        (ON CONFLICT DO NOTHING): two fetches of one recall may add the same at once."""
        rows = [
            {"store_hash": store_hash, "recall_id": recall_id, "product_id": item.product_id,
             "variant_id": item.variant_id, "sku": item.sku, "matched_by": item.matched_by}
            for item in items
        ]  # fmt: skip
        if not rows:
            return 0
        with Session(self.engine) as session, session.begin():
            statement = insert(session, RecallItem).values(rows).on_conflict_do_nothing()
            return len(session.execute(statement.returning(RecallItem.product_id)).all())

    def items(self, store_hash: str, recall_id: str) -> list[RecalledItem]:
        query = (
            select(RecallItem)
            .where(RecallItem.store_hash == store_hash, RecallItem.recall_id == recall_id)
            .order_by(RecallItem.product_id, RecallItem.variant_id)
        )
        with Session(self.engine) as session:
            return [
                RecalledItem(row.product_id, row.variant_id, row.sku, row.matched_by)
                for row in session.scalars(query)
            ]

    def open_items(self, store_hash: str) -> dict[tuple[int, int], list[str]]:
        """(product id, variant id) → ids of the open recalls covering it: what the
        publish stage's gate refuses to put back on sale."""
        query = (
            select(RecallItem.product_id, RecallItem.variant_id, RecallItem.recall_id)
            .join(
                RecallRow,
                (RecallRow.store_hash == RecallItem.store_hash)
                & (RecallRow.recall_id == RecallItem.recall_id),
            )
            .where(RecallItem.store_hash == store_hash, RecallRow.decision == OPEN)
            .order_by(RecallItem.recall_id)
        )
        covered: dict[tuple[int, int], list[str]] = {}
        with Session(self.engine) as session:
            for product_id, variant_id, recall_id in session.execute(query):
                covered.setdefault((product_id, variant_id), []).append(recall_id)
        return covered

    def affected_orders(self, recall: Recall) -> list[int]:
        """Archived orders with a line of a recalled item sold in the recall's window,
        sorted: a line matches by its product (an item with `variant_id` 0), its variant,
        or its SKU (the recall's SKUs and the resolved items' SKUs), because an order line
        of a deleted product keeps only its SKU."""
        items = self.items(recall.store_hash, recall.recall_id)
        skus = set(recall.identifiers.skus) | {item.sku for item in items if item.sku}
        products = {item.product_id for item in items if item.variant_id == PRODUCT_ITSELF}
        variants = {item.variant_id for item in items if item.variant_id != PRODUCT_ITSELF}
        matches = [OrderLine.sku.in_(sorted(skus))] if skus else []
        if products:
            matches.append(OrderLine.product_id.in_(sorted(products)))
        if variants:
            matches.append(OrderLine.variant_id.in_(sorted(variants)))
        if not matches:
            return []
        query = (
            select(OrderLine.order_id)
            .where(
                OrderLine.store_hash == recall.store_hash,
                OrderLine.order_date >= recall.sold_from,
                or_(*matches),
            )
            .distinct()
            .order_by(OrderLine.order_id)
        )
        if recall.sold_to is not None:
            query = query.where(OrderLine.order_date <= recall.sold_to)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def add_orders(
        self, store_hash: str, recall_id: str, order_ids: Iterable[int], found_by: str
    ) -> list[int]:
        """Record affected orders; returns the ones not known before, sorted (idempotent
        in the database, as `add_items`)."""
        at = datetime.now(UTC)
        rows = [
            {"store_hash": store_hash, "recall_id": recall_id, "order_id": order_id,
             "found_by": found_by, "found_at": at}
            for order_id in sorted(set(order_ids))
        ]  # fmt: skip
        if not rows:
            return []
        with Session(self.engine) as session, session.begin():
            statement = insert(session, RecallOrder).values(rows).on_conflict_do_nothing()
            return sorted(session.scalars(statement.returning(RecallOrder.order_id)))

    def orders(self, store_hash: str, recall_id: str) -> list[int]:
        query = (
            select(RecallOrder.order_id)
            .where(RecallOrder.store_hash == store_hash, RecallOrder.recall_id == recall_id)
            .order_by(RecallOrder.order_id)
        )
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def open_recalls_of_order(self, store_hash: str, order_id: int) -> list[str]:
        """Ids of the open recalls that found this order affected, sorted."""
        query = (
            select(RecallOrder.recall_id)
            .join(
                RecallRow,
                (RecallRow.store_hash == RecallOrder.store_hash)
                & (RecallRow.recall_id == RecallOrder.recall_id),
            )
            .where(
                RecallOrder.store_hash == store_hash,
                RecallOrder.order_id == order_id,
                RecallRow.decision == OPEN,
            )
            .order_by(RecallOrder.recall_id)
        )
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def hold(self, recall: Recall, order_ids: Iterable[int]) -> None:
        """Open the recall's legal hold on the orders (`SubjectHolds`): every record of
        theirs carries it, those declared later too (declare asks the index). Not once
        its holds were released: that is final. The recall's own records inherit it from
        their workspace instead."""
        if recall.holds_released_at is not None:
            return
        subjects = [str(order_id) for order_id in order_ids]
        with Session(self.engine) as session, session.begin():
            open_hold(
                session, recall.store_hash, ORDER, subjects, recall.hold_name, datetime.now(UTC)
            )

    def holds_in_force(self, store_hash: str, recall_id: str) -> bool:
        """Whether the recall's hold must be on its nodes now (not released)."""
        recall = self.get(store_hash, recall_id)
        return recall is not None and recall.holds_released_at is None

    def release_holds(self, recall: Recall, at: datetime) -> Recall:
        """Release the recall's hold on every order; the recall as saved."""
        released = replace(recall, holds_released_at=recall.holds_released_at or at)
        self.save(released)
        with Session(self.engine) as session, session.begin():
            release_hold(session, recall.hold_name, at)
        return released

    def order_lines(self, recall: Recall) -> list[AffectedLine]:
        """The affected orders' lines of the recall's items (by product, variant or SKU
        as `affected_orders` matches them), oldest order first: the report's rows."""
        orders = self.orders(recall.store_hash, recall.recall_id)
        if not orders:
            return []
        items = self.items(recall.store_hash, recall.recall_id)
        skus = set(recall.identifiers.skus) | {item.sku for item in items if item.sku}
        products = {item.product_id for item in items if item.variant_id == PRODUCT_ITSELF}
        variants = {item.variant_id for item in items if item.variant_id != PRODUCT_ITSELF}
        query = (
            select(OrderLine)
            .where(OrderLine.store_hash == recall.store_hash, OrderLine.order_id.in_(orders))
            .order_by(OrderLine.order_date, OrderLine.order_id, OrderLine.line_id)
        )
        with Session(self.engine) as session:
            return [
                AffectedLine(
                    order_id=line.order_id,
                    order_date=line.order_date,
                    sku=line.sku,
                    quantity=line.quantity,
                    ship_to_country=line.ship_to_country,
                    customer_id=line.customer_id,
                )
                for line in session.scalars(query)
                if line.sku in skus
                or line.product_id in products
                or (line.variant_id is not None and line.variant_id in variants)
            ]

    def oldest_order(self, store_hash: str) -> datetime | None:
        """When the oldest order the index has lines of was placed: a scan of the store's
        orders covers what lies before it."""
        query = select(func.min(OrderLine.order_date)).where(OrderLine.store_hash == store_hash)
        with Session(self.engine) as session:
            return session.scalar(query)

    def scan(self, store_hash: str, recall_id: str) -> ScanState | None:
        with Session(self.engine) as session:
            row = session.get(RecallScan, (store_hash, recall_id))
            if row is None:
                return None
            return ScanState(row.since, row.until, row.next_page, row.orders_read, row.finished_at)

    def save_scan(self, store_hash: str, recall_id: str, state: ScanState) -> None:
        """Where a scan got to: written after each page, so a scan resumes there."""
        with Session(self.engine) as session, session.begin():
            session.merge(
                RecallScan(
                    store_hash=store_hash,
                    recall_id=recall_id,
                    since=state.since,
                    until=state.until,
                    next_page=state.next_page,
                    orders_read=state.orders_read,
                    finished_at=state.finished_at,
                    updated_at=datetime.now(UTC),
                )
            )


@dataclass(frozen=True)
class AffectedLine:
    """One line of an affected order: identifiers only (a customer by id, 0 a guest)."""

    order_id: int
    order_date: datetime
    sku: str
    quantity: int
    ship_to_country: str
    customer_id: int | None


@dataclass(frozen=True)
class ScanState:
    """A scan of the store's orders placed in [since, until]: the next page to read."""

    since: datetime
    until: datetime
    next_page: int
    orders_read: int
    finished_at: datetime | None = None
