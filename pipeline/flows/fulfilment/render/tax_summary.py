"""The monthly tax summary: tax collected per rate for one store, month, currency and country."""

from __future__ import annotations

from decimal import Decimal

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.commerce.render.order_sheet import open_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO
from schemas.snapshot import TaxSummary

TEMPLATE_VERSION = "tax-summary-1.1"


def render_tax_summary(summary: TaxSummary, spec: DocumentSpec) -> RenderedDocument:
    period = f"{summary.year:04d}-{summary.month:02d}"
    title = f"Tax summary {period} {summary.currency} {summary.country_iso2}"
    facts = [
        ("Period", period),
        ("Currency", summary.currency),
        ("Country", summary.country_iso2),
        ("Store", summary.seller.store_name or summary.seller.legal_name),
        ("Store hash", summary.store_hash),
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
    if summary.refunds is not None:
        refunds = summary.refunds
        sheet.section("Refunds in the month")
        sheet.totals(
            [
                (f"Refunded ({refunds.count})", fmt.money(-refunds.gross, money)),
                ("of which tax", fmt.money(-refunds.tax, money)),
                ("Tax net of refunds", fmt.money(collected - refunds.tax, money)),
            ]
        )
    if summary.country_iso2 == "US" and summary.orders:
        _by_state(sheet, summary)
    if summary.orders:
        sheet.section("Orders")
        sheet.ruled_table(
            [
                Column("Order", 24),
                Column("Date", 26),
                Column("State" if summary.country_iso2 == "US" else "Region", 40),
                Column(f"Net ({money})", 30, "R"),
                Column("Tax", 30, "R"),
                Column("Gross", 30, "R"),
            ],
            [
                [
                    str(order.order_id),
                    fmt.day(order.date),
                    order.region or "-",
                    fmt.amount_in(order.net, money),
                    fmt.amount_in(order.tax, money),
                    fmt.amount_in(order.gross, money),
                ]
                for order in summary.orders
            ],
        )
    sheet.note(
        "Aggregated from the paid BigCommerce orders created in the period; refunds are "
        "those dated in the period of these orders. The aggregate is attached to this PDF."
    )
    return sheet.finish(summary.to_json_bytes(), f"{stem_of(spec)}.json")


def _by_state(sheet: Sheet, summary: TaxSummary) -> None:
    """US sales tax is per state: the month's orders by state of the supply."""
    money = summary.currency
    states: dict[str, list[Decimal]] = {}
    for order in summary.orders:
        entry = states.setdefault(order.region or "(no state)", [ZERO, ZERO, ZERO])
        entry[0] += 1
        entry[1] += order.net
        entry[2] += order.tax
    sheet.section("By state")
    sheet.ruled_table(
        [
            Column("State", 70),
            Column("Orders", 20, "R"),
            Column("Net", 45, "R"),
            Column("Tax", 45, "R"),
        ],
        [
            [state, fmt.quantity(int(n)), fmt.money(net, money), fmt.money(tax, money)]
            for state, (n, net, tax) in sorted(states.items())
        ],
    )
