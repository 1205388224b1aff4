"""The closeout record (21 CFR 7.55 termination): the recall's final facts, how many
orders it affected, the refunds filed, and whether its legal hold was released."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.flows.recalls.render.recall_sheet import finish, open_recall_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import RenderedDocument

TEMPLATE_VERSION = "recall-closeout-1.0"


def render_closeout(source: RecallFile, spec: DocumentSpec) -> RenderedDocument:
    recall = source.recall
    sheet = open_recall_sheet(source, spec, "CLOSEOUT", TEMPLATE_VERSION)
    released = recall.holds_released_at
    sheet.section("Closeout")
    sheet.key_values(
        [("Closed", fmt.timestamp(recall.closed_at) if recall.closed_at else "-"),
         ("Affected orders", str(len(source.orders))),
         ("Records under hold", str(source.records_held)),
         ("Refunds since the decision", str(len(source.refunds))),
         ("Legal hold", f"released {fmt.timestamp(released)}" if released else "kept")],
        label_width=55,
    )  # fmt: skip
    if released is None:
        sheet.note(
            "Closing keeps the legal hold: releasing it is legal's decision "
            "(`bcrm recalls close --release-holds`), which files a new closeout."
        )
    return finish(sheet, source, spec)
