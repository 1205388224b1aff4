"""An order's disclosure receipt: the disclosures in force when it was placed, each with
the state of the evidence, and the customer's consent as read at capture time."""

from __future__ import annotations

from datetime import datetime

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.render.order_sheet import open_order_sheet
from pipeline.flows.disclosures.receipts import receipt_content
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.snapshot import OrderSnapshot, canonical_json

TEMPLATE_VERSION = "disclosure-receipt-1.0"
COLUMNS = (
    Column("Kind", 24),
    Column("Name", 46),
    Column("State", 20),
    Column("Version (SHA-256 of text)", 70),
    Column("ECM node", 20, "R"),
)
STATES = {
    "exact": "Exact: seen live continuously around the order.",
    "ambiguous": "Ambiguous: a change falls in an unobserved gap around the order; "
    "every version listed could have been the one in force.",
    "unknown": "Unknown: nothing was captured before the order was placed.",
}


def render_receipt(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    content = receipt_content(snapshot)
    order = snapshot.order
    sheet = open_order_sheet(
        snapshot,
        spec,
        "DISCLOSURE RECEIPT",
        f"Disclosure receipt, order {order.id}",
        TEMPLATE_VERSION,
        [
            ("Order no.", str(order.id)),
            ("Placed at", fmt.timestamp(order.date_created)),
            ("Channel", str(content["channel_id"])),
        ],
    )
    sheet.section("Disclosures in force when the order was placed")
    rows = []
    for item in content["disclosures"]:
        versions = item["versions"] or [{"content_sha256": "-", "ecm_node_id": None}]
        for index, version in enumerate(versions):
            rows.append(
                [
                    item["kind"] if index == 0 else "",
                    item["name"] if index == 0 else "",
                    item["state"] if index == 0 else "",
                    version["content_sha256"],
                    str(version["ecm_node_id"] or "-"),
                ]
            )
    sheet.ruled_table(COLUMNS, rows)
    for state in sorted({item["state"] for item in content["disclosures"]}):
        sheet.note(STATES[state])
    sheet.section("Customer consent categories")
    consent = content["consent"]
    sheet.key_values(
        [
            ("Allowed", ", ".join(consent.get("allow", [])) or "-"),
            ("Denied", ", ".join(consent.get("deny", [])) or "-"),
            (
                "Read at",
                fmt.timestamp(datetime.fromisoformat(consent["read_at"]))
                if "read_at" in consent
                else "-",
            ),
        ]
    )
    sheet.note(f"Consent categories {consent['label']}.")
    name = f"order-{order.id}-disclosure-receipt.json"
    return sheet.finish(canonical_json(content), name)
