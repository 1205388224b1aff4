"""The index's write and read API: idempotent writes, the lookups reports and recalls use."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pipeline.index.database import current_revision, head_revision, make_engine, upgrade
from pipeline.index.models import Base
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import DeclaredRecordRow, OrderLineRow

STORE = "st0re1"


def _row(key: str, kind: str = "invoice", order: int = 100, **changes: object) -> DeclaredRecordRow:
    row = DeclaredRecordRow(
        record_key=key,
        flow="commerce",
        kind=kind,
        store_hash=STORE,
        subject_kind="order",
        subject_id=str(order),
        part=None,
        ecm_name=f"{key.split('/')[1]}-abcdef12.pdf",
        ecm_node_id=5000 + order,
        sha256="a" * 64,
        record_date=date(2024, 3, 1),
        declared_at=datetime(2024, 3, 2, 10, 0, 0, tzinfo=UTC),
        rsi="BCRM-FIN-INV",
        file_plan_version="2026.1",
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]


def _line(line_id: int, sku: str, quantity: int = 1) -> OrderLineRow:
    return OrderLineRow(line_id, sku, 77, None, quantity, "DE")


def test_migrations_reach_head_and_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)  # a second start-up finds nothing to do
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == []
    engine.dispose()


def test_processes_starting_at_once_migrate_once(database_url: str) -> None:
    """Four starts racing on an empty database all end at head, without an error."""
    errors: list[BaseException] = []

    def start() -> None:
        engine = make_engine(database_url)
        try:
            upgrade(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engine(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_declaring_again_leaves_one_row_with_the_latest_facts(index: ArchiveIndex) -> None:
    row = _row(f"{STORE}/order-100-invoice/0123456789abcdef")
    index.record_declared(row)
    index.record_declared(row)
    adopted = dataclasses.replace(row, supersedes=(4001, 4000, 4001))
    index.record_declared(adopted)
    assert index.record(row.record_key) == dataclasses.replace(row, supersedes=(4000, 4001))
    assert index.counts() == [
        {"flow": "commerce", "kind": "invoice", "store_hash": STORE, "records": 1}
    ]
    assert index.record("nope") is None


def test_records_of_subject_and_counts(index: ArchiveIndex) -> None:
    index.record_declared(_row(f"{STORE}/order-100-invoice/1", order=100))
    index.record_declared(
        _row(f"{STORE}/order-100-packing-slip/2", "packing_slip", 100, flow="fulfilment", part="7")
    )
    index.record_declared(_row(f"{STORE}/order-101-invoice/3", order=101))
    index.record_declared(_row("other/order-100-invoice/4", order=100, store_hash="other"))
    found = index.records_of_subject(STORE, "order", "100")
    assert [r.kind for r in found] == ["invoice", "packing_slip"]
    assert found[1].part == "7"
    assert len(index.records_of_subject(None, "order", "100")) == 3
    assert {(c["kind"], c["store_hash"]): c["records"] for c in index.counts()} == {
        ("invoice", STORE): 2,
        ("invoice", "other"): 1,
        ("packing_slip", STORE): 1,
    }


def test_order_lines_are_replaced_and_found_by_sku_and_date(index: ArchiveIndex) -> None:
    march = datetime(2024, 3, 5, 12, tzinfo=UTC)
    may = datetime(2024, 5, 9, 8, tzinfo=UTC)
    index.order_lines_seen(STORE, 100, march, [_line(1, "SKU-A"), _line(2, "SKU-B")])
    index.order_lines_seen(STORE, 100, march, [_line(1, "SKU-A", 3)])  # a line removed
    index.order_lines_seen(STORE, 101, may, [_line(5, "SKU-A")])
    index.order_lines_seen("other", 100, may, [_line(9, "SKU-B")])
    index.record_declared(_row(f"{STORE}/order-100-invoice/1", order=100))

    both = index.find_orders_by_sku("SKU-A")
    assert [(o.store_hash, o.order_id) for o in both] == [(STORE, 100), (STORE, 101)]
    assert both[0].lines == [_line(1, "SKU-A", 3)]
    assert both[0].order_date == march
    assert [r.record_key for r in both[0].records] == [f"{STORE}/order-100-invoice/1"]
    assert both[1].records == []

    in_march = index.find_orders_by_sku("SKU-A", since=date(2024, 3, 1), until=date(2024, 3, 5))
    assert [o.order_id for o in in_march] == [100]
    assert [o.order_id for o in index.find_orders_by_sku("SKU-A", since=may)] == [101]
    assert index.find_orders_by_sku("SKU-B", store_hash=STORE) == []
    assert [o.store_hash for o in index.find_orders_by_sku("SKU-B")] == ["other"]


def test_audit_events_copied_twice_are_kept_once(index: ArchiveIndex) -> None:
    events = [
        {"id": "1710000000000-0", "event": "declared", "record_key": "k1", "node": "5"},
        {"id": "1710000000000-1", "event": "adopted", "record_key": "k1"},
    ]
    assert index.add_audit_events(events) == 2
    assert index.add_audit_events(events) == 0
    trail = index.audit_events_of("k1")
    assert [(e["id"], e["event"]) for e in trail] == [
        ("1710000000000-0", "declared"),
        ("1710000000000-1", "adopted"),
    ]
    assert trail[0]["node"] == "5"
