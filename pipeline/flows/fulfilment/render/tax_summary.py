"""The monthly tax summary: tax collected per rate for one store, month, currency and country."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename, stem_of
from pipeline.flows.commerce.render.order_sheet import seller_lines
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, DocumentMeta, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO
from schemas.snapshot import TaxSummary

TEMPLATE_VERSION = "tax-summary-1.0"


def render_tax_summary(summary: TaxSummary, spec: DocumentSpec) -> RenderedDocument:
    period = f"{summary.year:04d}-{summary.month:02d}"
    title = f"Tax summary {period} {summary.currency} {summary.country_iso2}"
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading="TAX SUMMARY",
            subject=f"{title}, BigCommerce store {summary.store_hash}",
            author=summary.seller.legal_name,
            date=summary.period_end,
            template_version=TEMPLATE_VERSION,
            filename=filename(spec),
        )
    )
    sheet.title_block(
        seller_lines(summary.seller),
        [
            ("Period", period),
            ("Currency", summary.currency),
            ("Country", summary.country_iso2),
            ("Store", summary.store_hash),
        ],
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
