"""What a recall owes and what its records are called: the names of declared records
never change (pinned here, as tests/golden pins flow 1's), a grown set of affected lines
is a new version of the report, a status report is owed per week while open, the
closeout once closed, a handed-in file until its record is filed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from pipeline.core.names import ecm_name, record_key
from pipeline.flows.recalls.documents import due_documents
from pipeline.flows.recalls.recall_file import AttachedFile, RecallFile, Refund
from pipeline.index.recalls import AffectedLine, Identifiers, Recall, RecalledItem
from tests.support import configured

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RECALL = Recall(
    "abc123", "4", Identifiers(("HOO-002",), ("4000000000012",), (), ("L-42",)),
    datetime(2026, 1, 1, tzinfo=UTC), None, "Overheats", "Refund", "high",
    opened_by="1000", opened_at=AT,
)  # fmt: skip
LINES = tuple(
    AffectedLine(5 + n, datetime(2026, 3, 1 + n, tzinfo=UTC), "HOO-002-RED", 1, "DE", 17 + n)
    for n in range(3)
)
NOTICE = AttachedFile("notice", "notice.pdf", "application/pdf", 4, "ab" * 32, "ab" * 32)
FILE = RecallFile(
    RECALL, (RecalledItem(12, 0, "HOO-002", "sku"),), LINES,
    (Refund(6, "order-6-credit-note-1-abcd1234.pdf", 5012, date(2026, 11, 3)),),
    9, "2026-W45", AT, NOTICE,
)  # fmt: skip


@pytest.fixture(autouse=True)
def recalls_flow() -> Iterator[None]:
    with configured({"BCRM_FLOWS": "recalls"}):
        yield


def _names(source: RecallFile) -> list[str]:
    return [ecm_name(spec) for spec in due_documents(source)]


def test_names_and_keys_are_pinned() -> None:
    specs = due_documents(FILE)
    assert [ecm_name(s) for s in specs] == [
        "recall-4-affected-orders-f8d780fa.pdf",
        "recall-4-status-2026-W45-f2d50126.pdf",
        "recall-4-notice-abababababab-037eb6ca.pdf",
    ]
    assert record_key(specs[0]).startswith("abc123/recall-4-affected-orders/")


def test_a_grown_set_is_a_new_report_and_a_new_week_a_new_status() -> None:
    grown = replace(FILE, lines=(*LINES, replace(LINES[0], order_id=99)))
    before, after = _names(FILE), _names(grown)
    assert before[0] != after[0] and before[0].rsplit("-", 1)[0] == after[0].rsplit("-", 1)[0]
    assert _names(replace(FILE, fetched_at=AT.replace(hour=10)))[0] == before[0]
    assert "status-2026-W46" in _names(replace(FILE, week="2026-W46"))[1]


def test_closed_owes_the_closeout_and_a_filed_file_is_not_owed_again() -> None:
    closed = replace(FILE, recall=replace(RECALL, decision="closed", closed_at=AT))
    assert any("closeout" in name for name in _names(closed))
    assert not any("status" in name for name in _names(closed))
    notice = _names(FILE)[2]
    assert notice not in _names(replace(FILE, filed=(notice,)))


def test_the_recall_file_round_trips() -> None:
    assert RecallFile.from_json_bytes(FILE.to_json_bytes()) == FILE


def test_a_status_report_is_linked_to_the_credit_notes_it_counts() -> None:
    from pipeline.flows.recalls.flow import FLOW

    status, report = due_documents(FILE)[1], due_documents(FILE)[0]
    placement = FLOW.placement(FILE, status, "Status Reports")
    assert [(link.node_id, link.xref_type) for link in placement.node_links] == [
        (5012, "HAS_REFUND")
    ]
    assert placement.workspace is not None
    assert placement.workspace.business_object_id == "abc123-RCL-4"
    assert FLOW.placement(FILE, report, "Affected Orders").node_links == ()
