"""The affected-orders report: every line of an affected order that sold a recalled item,
as a table and as a CSV attached to the PDF (order id, date, SKU, quantity, ship-to
country, customer id; no names, no e-mail addresses), and the items the identifiers
resolved to. A grown set makes a new version, which supersedes this one."""

from __future__ import annotations

import csv
import io

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.flows.recalls.render.recall_sheet import finish, open_recall_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Attachment, Column, RenderedDocument

TEMPLATE_VERSION = "recall-affected-orders-1.0"
CSV_HEADER = ("order_id", "order_date", "sku", "quantity", "ship_to_country", "customer_id")


def affected_csv(source: RecallFile) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in source.lines:
        writer.writerow(
            [line.order_id, line.order_date.isoformat(), line.sku, line.quantity,
             line.ship_to_country, line.customer_id if line.customer_id is not None else ""]
        )  # fmt: skip
    return out.getvalue().encode()


def render_affected_orders(source: RecallFile, spec: DocumentSpec) -> RenderedDocument:
    sheet = open_recall_sheet(source, spec, "AFFECTED ORDERS", TEMPLATE_VERSION)
    sheet.section(f"Recalled items ({len(source.items)})")
    sheet.ruled_table(
        [Column("Product", 25, "R"), Column("Variant", 25, "R"), Column("SKU", 80),
         Column("Matched by", 40)],
        [[str(i.product_id), str(i.variant_id or "all"), i.sku, i.matched_by]
         for i in source.items],
    )  # fmt: skip
    sheet.section(f"Affected orders ({len(source.orders)}), lines ({len(source.lines)})")
    sheet.ruled_table(
        [Column("Order", 20, "R"), Column("Placed", 30), Column("SKU", 60),
         Column("Qty", 15, "R"), Column("Ship to", 20), Column("Customer id", 25, "R")],
        [[str(line.order_id), fmt.day(line.order_date), line.sku, str(line.quantity),
          line.ship_to_country or "-", str(line.customer_id or "guest")]
         for line in source.lines],
    )  # fmt: skip
    sheet.note(
        "Found in the archive index's order lines inside the recall's sold window (and by "
        "`bcrm recalls scan` for orders older than the index). Every record of these orders "
        f"is under the legal hold {source.recall.hold_name}. The same rows are attached as CSV."
    )
    csv_file = Attachment(
        affected_csv(source),
        f"{stem_of(spec)}.csv",
        "text/csv",
        "Affected order lines: order id, date, SKU, quantity, ship-to country, customer id",
    )
    return finish(sheet, source, spec, [csv_file])
