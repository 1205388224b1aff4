"""The monthly tax summary: tax collected per rate for one store, month, currency and country."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.commerce.render.order_sheet import open_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.bigcommerce import ZERO
from schemas.snapshot import TaxSummary

TEMPLATE_VERSION = "tax-summary-1.0"


def render_tax_summary(summary: TaxSummary, spec: DocumentSpec) -> RenderedDocument:
    period = f"{summary.year:04d}-{summary.month:02d}"
    title = f"Tax summary {period} {summary.currency} {summary.country_iso2}"
    facts = [
        ("Period", period),
        ("Currency", summary.currency),
        ("Country", summary.country_iso2),
        ("Store", summary.store_hash),
    ]
    sheet = open_sheet(
        summary.seller,
        summary.store_hash,
        "TAX SUMMARY",
        title,
        summary.period_end,
        TEMPLATE_VERSION,
        spec,
        facts,
    )
    money = summary.currency
    sheet.ruled_table(
        [
            Column("Tax", 70),
            Column("Rate", 20, "R"),
            Column("Taxable", 35, "R"),
            Column("Tax amount", 35, "R"),
            Column("Orders", 20, "R"),
        ],
        [
            [
                row.tax_name,
                fmt.rate(row.rate),
                fmt.money(row.taxable_amount, money),
                fmt.money(row.tax_amount, money),
                fmt.quantity(row.order_count),
            ]
            for row in summary.rows
        ],
    )
    taxable = sum((row.taxable_amount for row in summary.rows), ZERO)
    collected = sum((row.tax_amount for row in summary.rows), ZERO)
    sheet.totals(
        [
            ("Taxable amount", fmt.money(taxable, money)),
            ("Tax collected", fmt.money(collected, money)),
        ]
    )
    sheet.note(
        "Aggregated from the BigCommerce orders of the period; "
        "the aggregate is attached to this PDF."
    )
    return sheet.finish(summary.to_json_bytes(), f"{stem_of(spec)}.json")
