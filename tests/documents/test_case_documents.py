"""The case file's documents: what each owes and when a new version is due, how they are
named, and what the archival PDFs show (customer ids, never an e-mail address)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from pipeline.core import registry
from pipeline.core.names import ecm_name, record_key, version_prefix
from pipeline.devtools.chaos.scenarios.poison import drawn_text
from pipeline.flows.cases.documents import due_documents
from pipeline.flows.cases.render.summary import manifest_sha256
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.case_file import (
    HOLD_ACTIVE,
    Attachment,
    CaseFile,
    LogEntry,
    ManifestEntry,
    OrderFacts,
    TimelineEntry,
)
from schemas.cases import AttachmentRef
from tests.documents.pdf_checks import assert_archival, open_pdf

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def case() -> CaseFile:
    return CaseFile(
        store_hash="abc123",
        case_id="HD-1",
        origin="helpdesk",
        reason="dispute",
        subject="Parcel damaged",
        status="open",
        opened_at=T0,
        closed_at=None,
        hold_name="CASE-abc123-HD-1",
        hold_state=HOLD_ACTIVE,
        orders=(OrderFacts(101, 42, 13, "Disputed", T0, None, "captured", "EUR", "NL"),),
        archived_orders=(101,),
        timeline=(TimelineEntry(T0, 101, "placed"),),
        log=(LogEntry(T0, "order message", "customer 42", 101, "Where is it?"),),
        attachments=(
            Attachment(1, AttachmentRef("photo.png", "image/png", 8, "ab" * 32)),
            Attachment(2, AttachmentRef("tool.exe", "application/x-msdownload", 3, "cd" * 32)),
        ),
        manifest=(
            ManifestEntry(
                "abc123/order-101-invoice/0123456789abcdef",
                "invoice",
                "order:101",
                "order-101-invoice-3f2a9c1b.pdf",
                5001,
                "ef" * 32,
                date(2026, 11, 1),
                False,
            ),
        ),
    )


def _by_kind(case: CaseFile) -> dict[str, list[str]]:
    owed: dict[str, list[str]] = {}
    for spec in due_documents(case):
        owed.setdefault(spec.kind, []).append(ecm_name(spec))
    return owed


def test_an_open_case_owes_summary_log_and_each_attachment_in_its_format(
    case: CaseFile,
) -> None:
    owed = _by_kind(case)
    assert set(owed) == {"case_summary", "case_communication_log", "case_attachment"}
    first, second = sorted(owed["case_attachment"])
    assert first.startswith("case-HD-1-attachment-1-") and first.endswith(".png")
    assert second.startswith("case-HD-1-attachment-2-") and second.endswith(".pdf")
    spec = next(s for s in due_documents(case) if s.part == "1.png")
    assert version_prefix(spec.kind, spec.subject, spec.part) == "case-HD-1-attachment-1-"
    assert record_key(spec).startswith("abc123/case-HD-1-attachment-1.png/")


def test_a_message_or_status_makes_new_versions_of_log_and_summary_only(
    case: CaseFile,
) -> None:
    before = _by_kind(case)
    message = LogEntry(T0 + timedelta(hours=1), "helpdesk", "agent", None, "We are on it")
    after = _by_kind(dataclasses.replace(case, log=(*case.log, message)))
    assert after["case_summary"] != before["case_summary"]
    assert after["case_communication_log"] != before["case_communication_log"]
    assert after["case_attachment"] == before["case_attachment"]
    pending = _by_kind(dataclasses.replace(case, status="pending"))
    assert pending["case_communication_log"] != before["case_communication_log"]
    assert _by_kind(case) == before


def test_a_closed_case_owes_its_closure_and_no_attachment_filed_already(case: CaseFile) -> None:
    spec = next(s for s in due_documents(case) if s.part == "1.png")
    filed = ManifestEntry(
        record_key(spec), spec.kind, "case:HD-1", ecm_name(spec), 6001, "aa" * 32, T0.date(), True
    )
    closed = dataclasses.replace(
        case, status="closed", closed_at=T0 + timedelta(days=2), manifest=(*case.manifest, filed)
    )
    owed = _by_kind(closed)
    assert len(owed["case_closure"]) == 1
    assert [n for n in owed["case_attachment"] if n.endswith(".png")] == []


def _text(document: RenderedDocument) -> str:
    with open_pdf(document) as pdf:
        return "\n".join(drawn_text(pdf))


def test_the_summary_is_archival_and_shows_ids_and_the_manifest_hash(case: CaseFile) -> None:
    flow = registry.flow("cases")
    spec = next(s for s in due_documents(case) if s.kind == "case_summary")
    document = flow.render(case, spec)
    assert flow.render(case, spec).bytes == document.bytes  # deterministic
    assert_archival(document, case.to_json_bytes(), T0)
    text = _text(document)
    assert "42" in text and "CASE-abc123-HD-1" in text and "order-101-invoice-3f2a9c1b.pdf" in text
    assert manifest_sha256(list(case.manifest)) in text
    assert "@" not in text and "@" not in case.to_json_bytes().decode()


def test_a_kept_attachment_is_its_own_bytes(
    case: CaseFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"\x89PNG\r\n\x1a\nrest"

    class Staging:
        def get(self, digest: str) -> bytes:
            assert digest == "ab" * 32
            return data

    monkeypatch.setattr("pipeline.runtime.services.staging", lambda: Staging())
    spec = next(s for s in due_documents(case) if s.part == "1.png")
    document = registry.flow("cases").render(case, spec)
    assert document.bytes == data and document.media_type == "image/png"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    refusal = next(s for s in due_documents(case) if s.part == "2.pdf")
    text = _text(registry.flow("cases").render(case, refusal))
    assert "not kept" in text and "application/x-msdownload" in text


def test_case_placements_and_attributes_stay_within_the_needs(case: CaseFile) -> None:
    from pipeline.records.classify import classify, default_plan
    from pipeline.records.needs import ecm_needs

    plan = default_plan()
    flow = registry.flow("cases")
    needs = ecm_needs([flow], plan)
    assert {"CASE", "ORDER"} <= needs.workspace_types and "CASE_CONTAINS" in needs.xref_types
    closed = dataclasses.replace(case, closed_at=T0, status="closed")
    for spec in due_documents(closed):
        placement = flow.placement(closed, spec, plan.classes[spec.kind].folder)
        assert placement.workspace is not None and placement.workspace.type in needs.workspace_types
        assert set(classify(flow, closed, spec).category_attributes) <= set(needs.attributes)
