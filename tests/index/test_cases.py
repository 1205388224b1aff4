"""Case state in the archive index: intake events applied once, in any order, and the
case's legal hold opened on its orders until it is released."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from pipeline.index.records import ArchiveIndex
from schemas.cases import AttachmentRef, CaseEvent, ThreadMessage

STORE = "st0re1"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HOLD = f"CASE-{STORE}-HD-1"


def _event(event_id: str, minutes: int = 0, **facts: object) -> CaseEvent:
    return CaseEvent(event_id, "helpdesk", STORE, "HD-1", T0 + timedelta(minutes=minutes), **facts)  # type: ignore[arg-type]


def _opening(**facts: object) -> CaseEvent:
    return _event(
        "open", order_ids=(100, 101), opened_at=T0, reason="return", subject="Damaged",
        status="open", **facts,
    )  # fmt: skip


def test_an_event_applied_twice_changes_the_case_once(index: ArchiveIndex) -> None:
    message = ThreadMessage("m1", "customer", T0, "text")
    attachment = AttachmentRef("a.png", "image/png", 3, "ab" * 32)
    event = _opening(messages=(message,), attachments=(attachment,))
    assert index.cases.apply(event) is True
    assert index.cases.apply(event) is False
    again = _event("again", 5, messages=(message,), attachments=(attachment,))
    assert index.cases.apply(again) is True  # another delivery repeating the thread
    case = index.cases.case(STORE, "HD-1")
    assert case is not None
    assert case.order_ids == (100, 101)
    assert case.messages == (message,)
    assert case.attachments == ((1, attachment),)
    assert (case.reason, case.status, case.opened_at) == ("return", "open", T0)


def test_a_message_before_the_opening_and_a_late_open_after_the_close(
    index: ArchiveIndex,
) -> None:
    early = ThreadMessage("m0", "customer", T0, "first")
    index.cases.apply(_event("msg", 1, messages=(early,)))
    index.cases.apply(_opening())
    index.cases.apply(_event("close", 10, status="closed"))
    index.cases.apply(_event("late-open", 2, status="open"))  # a stale delivery, late
    case = index.cases.case(STORE, "HD-1")
    assert case is not None
    assert case.messages == (early,)
    assert case.reason == "return" and case.order_ids == (100, 101)
    assert case.status == "closed" and case.closed_at == T0 + timedelta(minutes=10)
    assert index.cases.cases_of_order(STORE, 100, open_only=True) == []
    assert index.cases.cases_of_order(STORE, 100) == ["HD-1"]


def test_a_dispute_opens_its_hold_on_every_order_until_released(index: ArchiveIndex) -> None:
    index.cases.apply(_event("open", order_ids=(100,), reason="dispute", status="open"))
    index.cases.apply(_event("more", 1, order_ids=(101,)))
    assert index.holds.open_on(STORE, "order", "100") == [HOLD]
    assert index.holds.open_on(STORE, "order", "101") == [HOLD]
    index.cases.apply(_event("close", 2, status="closed"))
    assert index.holds.is_open(HOLD)  # closed without --release-hold: still held
    index.cases.apply(_event("release", 3, status="closed", release_hold=True))
    assert index.holds.is_open(HOLD)  # a release only counts with the closing event
    index.cases.apply(_event("open-again", 4, order_ids=(102,), hold=True))
    assert index.holds.open_on(STORE, "order", "102") == [HOLD]


def test_closing_with_release_releases_everywhere_for_good(index: ArchiveIndex) -> None:
    index.cases.apply(_opening(hold=True))
    index.cases.apply(_event("close", 2, status="closed", release_hold=True))
    assert index.holds.open_on(STORE, "order", "100") == []
    assert not index.holds.is_open(HOLD)
    index.cases.apply(_event("late", 3, order_ids=(103,), hold=True))
    assert index.holds.open_on(STORE, "order", "103") == []


def test_concurrent_deliveries_number_attachments_once(index: ArchiveIndex) -> None:
    index.cases.apply(_opening())
    refs = [AttachmentRef(f"f{i}.txt", "text/plain", 1, f"{i:064x}") for i in range(6)]
    threads = [
        threading.Thread(target=index.cases.apply, args=(_event(f"e{i}", i, attachments=(ref,)),))
        for i, ref in enumerate(refs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    case = index.cases.case(STORE, "HD-1")
    assert case is not None
    assert sorted(n for n, _ in case.attachments) == [1, 2, 3, 4, 5, 6]
    assert {ref for _, ref in case.attachments} == set(refs)
