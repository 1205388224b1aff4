"""`bcrm record pdf` picks exactly one record, or says what to add to the question."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipeline.index.record_content import RecordNotFound, order_record
from pipeline.index.rows import DeclaredRecordRow


def _row(kind: str, part: str | None, day: int, store: str = "s1") -> DeclaredRecordRow:
    return DeclaredRecordRow(
        record_key=f"{store}/order-7-{kind}-{part}-{day}",
        flow="commerce",
        kind=kind,
        store_hash=store,
        subject_kind="order",
        subject_id="7",
        part=part,
        ecm_name=f"order-7-{kind}.pdf",
        ecm_node_id=100 + day,
        sha256="0" * 64,
        record_date=date(2024, 3, day),
        declared_at=datetime(2024, 3, day, tzinfo=UTC),
        rsi="BCRM-FIN-INV",
        file_plan_version="2026.1",
    )


class FakeIndex:
    def __init__(self, rows: list[DeclaredRecordRow]) -> None:
        self.rows = rows

    def records_of_subject(self, store: str | None, kind: str, subject: str) -> list[Any]:
        return [r for r in self.rows if store in (None, r.store_hash)]


def test_the_latest_record_of_the_kind_is_chosen() -> None:
    index: Any = FakeIndex([_row("order_record", None, 1), _row("order_record", None, 5)])
    assert order_record(index, 7, "order_record", None, None).ecm_node_id == 105


def test_several_parts_or_stores_need_the_question_narrowed() -> None:
    slips: Any = FakeIndex([_row("packing_slip", "301", 1), _row("packing_slip", "302", 2)])
    with pytest.raises(RecordNotFound, match="parts 301, 302; give --part"):
        order_record(slips, 7, "packing_slip", None, None)
    assert order_record(slips, 7, "packing_slip", None, "302").ecm_node_id == 102
    stores: Any = FakeIndex([_row("invoice", None, 1), _row("invoice", None, 2, store="s2")])
    with pytest.raises(RecordNotFound, match="give --store"):
        order_record(stores, 7, "invoice", None, None)
    with pytest.raises(RecordNotFound, match="no credit_note record"):
        order_record(stores, 7, "credit_note", None, None)
