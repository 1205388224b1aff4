"""Assembling a case file from the store's answers: a closed case's communication log ends
at its closure, so an order message written later changes nothing the file owes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, cast

from pipeline.flows.cases.assemble import assemble
from pipeline.index.cases import CaseState
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Store:
    """BigCommerce's answers for one order: its header and its messages."""

    def __init__(self, messages: list[datetime]) -> None:
        self.messages = messages

    def get_order(self, order_id: int, include: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"id": order_id, "status_id": 10, "date_created": format_datetime(T0)}

    def order_messages(self, order_id: int) -> list[dict[str, Any]]:
        return [
            {"date_created": format_datetime(at), "customer_id": 7, "message": f"m{n}"}
            for n, at in enumerate(self.messages)
        ]


class Index:
    def records_of_subject(self, *_: Any) -> list[Any]:
        return []


def _state(closed_at: datetime | None) -> CaseState:
    return CaseState(
        store_hash="abc123", case_id="HD-1", origin="helpdesk", reason="return", subject="",
        status="closed" if closed_at else "open", opened_at=T0, closed_at=closed_at,
        hold=False, hold_released=False, updated_at=T0, order_ids=(101,), messages=(),
        attachments=(),
    )  # fmt: skip


def _log(closed_at: datetime | None, messages: list[datetime]) -> list[str]:
    store = cast(BigCommerceClient, Store(messages))
    case = assemble(_state(closed_at), store, cast(ArchiveIndex, Index()))
    return [entry.text for entry in case.log]


def test_a_closed_case_keeps_the_order_messages_up_to_its_closure() -> None:
    closed = T0 + timedelta(hours=2)
    messages = [T0 + timedelta(hours=1), closed, closed + timedelta(minutes=1)]
    assert _log(None, messages) == ["m0", "m1", "m2"]
    assert _log(closed, messages) == ["m0", "m1"]
