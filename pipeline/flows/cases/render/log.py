"""The communication log: order messages, the order's customer message and staff notes,
and the helpdesk thread, in time order."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.cases.render.case_sheet import finish, last_event, open_case_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.case_file import CaseFile

TEMPLATE_VERSION = "case-log-1.0"


def render_communication_log(case: CaseFile, spec: DocumentSpec) -> RenderedDocument:
    sheet = open_case_sheet(case, spec, "COMMUNICATION LOG", last_event(case), TEMPLATE_VERSION)
    sheet.section(f"Messages ({len(case.log)})")
    if not case.log:
        sheet.note("No messages yet.")
    sheet.ruled_table(
        [Column("When", 32), Column("Channel", 26), Column("From", 24), Column("Order", 14),
         Column("Message", 84)],
        [[fmt.timestamp(e.at), e.channel, e.author, str(e.order_id or "-"), e.text]
         for e in case.log],
    )  # fmt: skip
    return finish(sheet, case, spec)
