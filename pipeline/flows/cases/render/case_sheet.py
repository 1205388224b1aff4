"""What every case document opens with: the case's facts, on a sheet with the case file
attached as its source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename, stem_of
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import DocumentMeta, RenderedDocument, Sheet
from schemas.case_file import CaseFile


def case_facts(case: CaseFile) -> list[tuple[str, str]]:
    """The case's identity and state; customers by id only (no e-mail, no name)."""
    return [
        ("Case", case.case_id),
        ("Store", case.store_hash),
        ("Reason", case.reason),
        ("Status", case.status),
        ("Opened", fmt.timestamp(case.opened_at)),
        ("Closed", fmt.timestamp(case.closed_at) if case.closed_at else "-"),
        ("Orders", ", ".join(str(o.order_id) for o in case.orders) or "-"),
        ("Customer ids", ", ".join(map(str, case.customer_ids)) or "-"),
        (
            "Legal hold",
            f"{case.hold_name} ({case.hold_state})" if case.hold_state != "none" else "none",
        ),
        ("Opened by", case.origin),
    ]


def open_case_sheet(
    case: CaseFile,
    spec: DocumentSpec,
    heading: str,
    when: datetime,
    template_version: str,
    facts: Sequence[tuple[str, str]] = (),
) -> Sheet:
    title = f"{heading.title()} of case {case.case_id}"
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {case.store_hash}",
            author=f"bcrm, BigCommerce store {case.store_hash}",
            date=when,
            template_version=template_version,
            filename=filename(spec),
        )
    )
    sheet.title_block(
        [f"BigCommerce store {case.store_hash}", "Customer-service case file"],
        [*case_facts(case), *facts],
    )
    if case.subject:
        sheet.section("Subject")
        sheet.note(case.subject)
    return sheet


def finish(sheet: Sheet, case: CaseFile, spec: DocumentSpec) -> RenderedDocument:
    return sheet.finish(case.to_json_bytes(), f"{stem_of(spec)}.json")


def last_event(case: CaseFile) -> datetime:
    """What a case document is 'as of': its latest dated fact (fixed for the same facts,
    so the same file renders to the same bytes)."""
    moments = [case.opened_at, *(e.at for e in case.log), *(t.at for t in case.timeline)]
    if case.closed_at is not None:
        moments.append(case.closed_at)
    return max(moments)
