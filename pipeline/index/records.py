"""The archive index's read and write API: what the pipeline, the commands and reports call.

Every write is idempotent, because Celery delivers at least once: declaring or adopting a
record again upserts its one row, seeing an order again replaces its lines, copying an
audit event again is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from pipeline.index.campaigns import Campaigns
from pipeline.index.cases import CaseIndex
from pipeline.index.dialect import insert
from pipeline.index.holds import SubjectHolds
from pipeline.index.models import AuditEvent, OrderLine, Record
from pipeline.index.recalls import Recalls
from pipeline.index.rows import DeclaredRecordRow, OrderLineRow, stream_time, utc_seconds

ORDER_SUBJECT = "order"


@dataclass(frozen=True)
class IndexedOrder:
    """An order found in the index, with its lines and every record filed about it."""

    store_hash: str
    order_id: int
    order_date: datetime
    lines: list[OrderLineRow]
    records: list[DeclaredRecordRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "store_hash": self.store_hash,
            "order_id": self.order_id,
            "order_date": self.order_date.isoformat(),
            "lines": [asdict(line) for line in self.lines],
            "records": [row_to_json(r) for r in self.records],
        }


@dataclass(frozen=True)
class StoreContent:
    """What the index holds for one store: records by key, lines by order."""

    records: dict[str, DeclaredRecordRow]
    orders: dict[int, tuple[datetime, tuple[OrderLineRow, ...]]]


def row_to_json(row: DeclaredRecordRow) -> dict[str, Any]:
    data = asdict(row)
    data["record_date"] = row.record_date.isoformat()
    data["declared_at"] = row.declared_at.isoformat()
    data["supersedes"] = list(row.supersedes)
    data["subject"] = row.subject
    return data


def _record_values(row: DeclaredRecordRow) -> dict[str, Any]:
    values = asdict(row)
    values["supersedes"] = sorted(set(row.supersedes))
    values["declared_at"] = utc_seconds(row.declared_at)
    return values


def _row(record: Record) -> DeclaredRecordRow:
    return DeclaredRecordRow(
        record_key=record.record_key,
        flow=record.flow,
        kind=record.kind,
        store_hash=record.store_hash,
        subject_kind=record.subject_kind,
        subject_id=record.subject_id,
        part=record.part,
        ecm_name=record.ecm_name,
        ecm_node_id=int(record.ecm_node_id),
        sha256=record.sha256,
        record_date=record.record_date,
        declared_at=record.declared_at,
        rsi=record.rsi,
        file_plan_version=record.file_plan_version,
        supersedes=tuple(int(n) for n in record.supersedes),
    )


def _line(line: OrderLine) -> OrderLineRow:
    return OrderLineRow(
        line_id=int(line.line_id),
        sku=line.sku,
        product_id=line.product_id,
        variant_id=line.variant_id,
        quantity=line.quantity,
        ship_to_country=line.ship_to_country,
        customer_id=line.customer_id,
    )


class ArchiveIndex:
    """One per process (`services.archive_index()`); safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @property
    def cases(self) -> CaseIndex:
        """Customer-service cases (flow 2)."""
        return CaseIndex(self.engine)

    @property
    def recalls(self) -> Recalls:
        """Product recalls (flow 6)."""
        return Recalls(self.engine)

    @property
    def campaigns(self) -> Campaigns:
        """Marketing campaigns (flow 7)."""
        return Campaigns(self.engine)

    @property
    def holds(self) -> SubjectHolds:
        """Holds open on subjects, which declare applies to every record of theirs."""
        return SubjectHolds(self.engine)

    # -- writes the pipeline makes ------------------------------------------------------

    def record_declared(self, row: DeclaredRecordRow) -> None:
        """Upsert by record key: a redelivered or adopted declare leaves one row, with the
        facts of the last call (they are the same facts unless the ECM changed)."""
        values = _record_values(row)
        statement = insert(self.engine, Record).values(values)
        with self.engine.begin() as connection:  # Core, not the ORM: one statement a record
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[Record.record_key],
                    set_={k: statement.excluded[k] for k in values if k != "record_key"},
                )
            )

    def order_lines_seen(
        self, store_hash: str, order_id: int, order_date: datetime, lines: Sequence[OrderLineRow]
    ) -> None:
        """Replace the order's lines with `lines`, in one transaction."""
        with self.session() as session, session.begin():
            self._replace_lines(session, store_hash, order_id, order_date, lines)

    @staticmethod
    def _replace_lines(
        session: Session,
        store_hash: str,
        order_id: int,
        order_date: datetime,
        lines: Sequence[OrderLineRow],
    ) -> None:
        session.execute(
            delete(OrderLine).where(
                OrderLine.store_hash == store_hash, OrderLine.order_id == order_id
            )
        )
        session.add_all(
            OrderLine(
                store_hash=store_hash,
                order_id=order_id,
                order_date=utc_seconds(order_date),
                **asdict(line),
            )
            for line in lines
        )

    def add_audit_events(self, events: Iterable[Mapping[str, str]]) -> int:
        """Copy audit stream entries (`id`, `event`, `record_key`, other fields); an entry
        copied before is skipped. Returns how many rows were new."""
        rows = [_audit_values(event) for event in events]
        if not rows:
            return 0
        with self.session() as session, session.begin():
            statement = insert(session, AuditEvent).values(rows)
            inserted = session.execute(
                statement.on_conflict_do_nothing(index_elements=[AuditEvent.stream_id]).returning(
                    AuditEvent.stream_id
                )
            )
            return len(inserted.all())

    # -- lookups ---------------------------------------------------------------------------

    def record(self, record_key: str) -> DeclaredRecordRow | None:
        with self.session() as session:
            found = session.get(Record, record_key)
            return None if found is None else _row(found)

    def records_of_subject(
        self, store_hash: str | None, subject_kind: str, subject_id: str
    ) -> list[DeclaredRecordRow]:
        """Every record about one subject (of any store when `store_hash` is None),
        oldest declaration first."""
        query = select(Record).where(
            Record.subject_kind == subject_kind, Record.subject_id == subject_id
        )
        if store_hash is not None:
            query = query.where(Record.store_hash == store_hash)
        query = query.order_by(Record.store_hash, Record.declared_at, Record.record_key)
        with self.session() as session:
            return [_row(r) for r in session.scalars(query)]

    def find_orders_by_sku(
        self,
        sku: str,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        store_hash: str | None = None,
    ) -> list[IndexedOrder]:
        """Orders with a line of `sku` placed in [since, until] (a date `until` includes
        that whole day), with all their lines and records, oldest order first."""
        matching = select(OrderLine.store_hash, OrderLine.order_id).where(OrderLine.sku == sku)
        if since is not None:
            matching = matching.where(OrderLine.order_date >= _moment(since, end=False))
        if until is not None:
            matching = matching.where(OrderLine.order_date <= _moment(until, end=True))
        if store_hash is not None:
            matching = matching.where(OrderLine.store_hash == store_hash)
        with self.session() as session:
            orders = sorted(set(session.execute(matching.distinct())))
            found = []
            for store, order_id in orders:
                lines = list(
                    session.scalars(
                        select(OrderLine)
                        .where(OrderLine.store_hash == store, OrderLine.order_id == order_id)
                        .order_by(OrderLine.line_id)
                    )
                )
                records = session.scalars(
                    select(Record)
                    .where(
                        Record.store_hash == store,
                        Record.subject_kind == ORDER_SUBJECT,
                        Record.subject_id == str(order_id),
                    )
                    .order_by(Record.declared_at, Record.record_key)
                )
                found.append(
                    IndexedOrder(
                        store,
                        int(order_id),
                        lines[0].order_date,
                        [_line(line) for line in lines],
                        [_row(r) for r in records],
                    )
                )
        return sorted(found, key=lambda o: (o.order_date, o.store_hash, o.order_id))

    def counts(self) -> list[dict[str, Any]]:
        """Records per (flow, kind, store), for status and reports."""
        query = (
            select(Record.flow, Record.kind, Record.store_hash, func.count())
            .group_by(Record.flow, Record.kind, Record.store_hash)
            .order_by(Record.flow, Record.kind, Record.store_hash)
        )
        with self.session() as session:
            return [
                {"flow": flow, "kind": kind, "store_hash": store, "records": int(n)}
                for flow, kind, store, n in session.execute(query)
            ]

    def audit_events_of(self, record_key: str) -> list[dict[str, Any]]:
        """A record's audit events copied out of Redis, oldest first."""
        query = (
            select(AuditEvent)
            .where(AuditEvent.record_key == record_key)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        with self.session() as session:
            return [
                {"id": e.stream_id, "event": e.event, "record_key": e.record_key, **e.fields}
                for e in session.scalars(query)
            ]

    # -- a whole store, for rebuild ---------------------------------------------------------

    def store_content(self, store_hash: str) -> StoreContent:
        with self.session() as session:
            records = {
                r.record_key: _row(r)
                for r in session.scalars(select(Record).where(Record.store_hash == store_hash))
            }
            orders: dict[int, tuple[datetime, list[OrderLineRow]]] = {}
            lines = session.scalars(
                select(OrderLine)
                .where(OrderLine.store_hash == store_hash)
                .order_by(OrderLine.order_id, OrderLine.line_id)
            )
            for line in lines:
                orders.setdefault(int(line.order_id), (line.order_date, []))[1].append(_line(line))
        return StoreContent(records, {k: (d, tuple(ls)) for k, (d, ls) in orders.items()})

    def replace_store(
        self,
        store_hash: str,
        records: Mapping[str, DeclaredRecordRow],
        orders: Mapping[int, tuple[datetime, Sequence[OrderLineRow]]],
    ) -> None:
        """Make the store's rows exactly `records` and `orders`, in one transaction."""
        with self.session() as session, session.begin():
            session.execute(delete(Record).where(Record.store_hash == store_hash))
            session.execute(delete(OrderLine).where(OrderLine.store_hash == store_hash))
            session.add_all(Record(**_record_values(row)) for row in records.values())
            for order_id, (order_date, lines) in orders.items():
                self._replace_lines(session, store_hash, order_id, order_date, lines)


def _moment(value: date | datetime, end: bool) -> datetime:
    if isinstance(value, datetime):
        return utc_seconds(value)
    moment = datetime.combine(value, datetime.max.time() if end else datetime.min.time())
    return utc_seconds(moment)


def _audit_values(entry: Mapping[str, str]) -> dict[str, Any]:
    extra = {k: v for k, v in entry.items() if k not in ("id", "event", "record_key")}
    return {
        "stream_id": entry["id"],
        "event": entry.get("event", ""),
        "record_key": entry.get("record_key", ""),
        "fields": extra,
        "at": stream_time(entry["id"]),
    }
