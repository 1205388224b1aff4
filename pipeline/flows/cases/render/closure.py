"""The closure record: when the case closed and what happened to its hold. Its record
date starts the retention of the case's records (trigger event `case_closed`)."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.cases.render.case_sheet import finish, open_case_sheet
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.case_file import HOLD_ACTIVE, HOLD_RELEASED, CaseFile

TEMPLATE_VERSION = "case-closure-1.0"


def render_case_closure(case: CaseFile, spec: DocumentSpec) -> RenderedDocument:
    assert case.closed_at is not None, "a closure is owed only by a closed case"
    sheet = open_case_sheet(case, spec, "CASE CLOSURE", case.closed_at, TEMPLATE_VERSION)
    sheet.section("Closure")
    hold = {
        HOLD_ACTIVE: f"Legal hold {case.hold_name} stays in force: it was not released.",
        HOLD_RELEASED: f"Legal hold {case.hold_name} released at closure; holds of other "
        "matters on the same records stay in force.",
    }.get(case.hold_state, "No legal hold.")
    sheet.note(
        f"Case closed. The retention period of this case file's records runs from this "
        f"date (trigger event case_closed). {hold}"
    )
    return finish(sheet, case, spec)
