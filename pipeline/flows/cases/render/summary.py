"""The case summary: the case's facts, its orders' timeline, and the manifest of every
record in or linked to the file, with a SHA-256 over the manifest."""

from __future__ import annotations

import hashlib

from pipeline.core.contract import DocumentSpec
from pipeline.flows.cases.render.case_sheet import finish, last_event, open_case_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.case_file import CaseFile, ManifestEntry

TEMPLATE_VERSION = "case-summary-1.0"
SUMMARY_KIND = "case_summary"


def manifest_lines(entries: list[ManifestEntry]) -> str:
    """The manifest as hashed: one line per record, `node sha256 name`, in file order."""
    return "".join(f"{m.node_id} {m.sha256} {m.ecm_name}\n" for m in entries)


def manifest_sha256(entries: list[ManifestEntry]) -> str:
    return hashlib.sha256(manifest_lines(entries).encode()).hexdigest()


def render_case_summary(case: CaseFile, spec: DocumentSpec) -> RenderedDocument:
    entries = [m for m in case.manifest if m.kind != SUMMARY_KIND]
    sheet = open_case_sheet(case, spec, "CASE SUMMARY", last_event(case), TEMPLATE_VERSION)
    sheet.section("Orders")
    sheet.ruled_table(
        [Column("Order", 20), Column("Customer id", 25), Column("Placed", 30),
         Column("Status", 45), Column("Payment", 30), Column("Country", 20)],
        [[str(o.order_id), str(o.customer_id or "guest"), fmt.day(o.date_created), o.status,
          o.payment_status or "-", o.country_iso2 or "-"] for o in case.orders],
    )  # fmt: skip
    waiting = [o.order_id for o in case.orders if o.order_id not in case.archived_orders]
    if waiting:
        sheet.warning(
            "Not archived yet (their records will be linked when declared): "
            + ", ".join(map(str, waiting))
        )
    sheet.section("Timeline")
    sheet.ruled_table(
        [Column("When", 40), Column("Order", 20), Column("Event", 110)],
        [[fmt.timestamp(t.at), str(t.order_id), t.event] for t in case.timeline],
    )
    sheet.section(f"Manifest ({len(entries)} records)")
    sheet.ruled_table(
        [Column("Record", 62), Column("Node", 16, "R"), Column("SHA-256", 72), Column("In", 10)],
        [[m.ecm_name, str(m.node_id), m.sha256, "file" if m.in_file else "link"] for m in entries],
    )
    sheet.key_values([("Manifest SHA-256", manifest_sha256(entries))], label_width=35)
    sheet.note(
        "The manifest lists every record filed in this case file and every record of its "
        "orders, linked by cross-reference (not copied), with its ECM node id and SHA-256; "
        "the manifest hash is the SHA-256 of its lines 'node sha256 name' in this order. "
        "The case file's data is attached to this PDF."
    )
    return finish(sheet, case, spec)
