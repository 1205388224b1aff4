"""The weekly status report while a recall is open (21 CFR 7.53): affected orders and
lines so far, the records under the recall's hold, and the refunds filed for affected
orders since the decision (flow 1's credit notes, by ECM node)."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.flows.recalls.render.recall_sheet import finish, open_recall_sheet
from pipeline.records.pdf.sheet import Column, RenderedDocument

TEMPLATE_VERSION = "recall-status-1.0"


def render_status(source: RecallFile, spec: DocumentSpec) -> RenderedDocument:
    sheet = open_recall_sheet(source, spec, f"STATUS REPORT {spec.part}", TEMPLATE_VERSION)
    units = sum(line.quantity for line in source.lines)
    sheet.section("Status")
    sheet.key_values(
        [("Week", str(spec.part)), ("Recalled items", str(len(source.items))),
         ("Affected orders", str(len(source.orders))), ("Units sold", str(units)),
         ("Records under hold", str(source.records_held)),
         ("Refunds since the decision", str(len(source.refunds)))],
        label_width=55,
    )  # fmt: skip
    if source.refunds:
        sheet.section("Refunds since the decision")
        sheet.ruled_table(
            [Column("Order", 20, "R"), Column("Dated", 30), Column("Record", 95),
             Column("Node", 25, "R")],
            [[str(r.order_id), r.record_date.isoformat(), r.ecm_name, str(r.node_id)]
             for r in source.refunds],
        )  # fmt: skip
    return finish(sheet, source, spec)
