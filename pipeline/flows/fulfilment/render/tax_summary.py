"""The monthly tax summary: tax collected per rate for one store, month, currency and country."""

from __future__ import annotations

from decimal import Decimal

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.commerce.render.charges import bridge
from pipeline.flows.commerce.render.order_sheet import open_sheet
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO
from schemas.snapshot import TaxSummary

TEMPLATE_VERSION = "tax-summary-1.2"


SUMMARY_RATE_COLUMNS = (
    Column("Tax", 70),
    Column("Rate", 20, "R"),
    Column("Taxable", 35, "R"),
    Column("Tax amount", 35, "R"),
    Column("Orders", 20, "R"),
)


def order_columns(summary: TaxSummary) -> list[Column]:
    return [
        Column("Order", 24),
        Column("Date", 26),
        Column("State" if summary.country_iso2 == "US" else "Region", 40),
        Column(f"Net ({summary.currency})", 30, "R"),
        Column("Tax", 30, "R"),
        Column("Gross", 30, "R"),
    ]


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
    rows = [
        (row, fmt.round_to(row.taxable_amount, money), fmt.round_to(row.tax_amount, money))
        for row in summary.rows
    ]
    sheet.ruled_table(
        SUMMARY_RATE_COLUMNS,
        [
            [
                row.tax_name,
                fmt.rate(row.rate),
                fmt.money(taxable, money),
                fmt.money(tax, money),
                fmt.quantity(row.order_count),
            ]
            for row, taxable, tax in rows
        ],
    )
    collected = sum((tax for _, _, tax in rows), ZERO)
    sheet.totals(
        [
            ("Taxable amount", fmt.money(sum((t for _, t, _ in rows), ZERO), money)),
            ("Tax collected", fmt.money(collected, money)),
        ]
    )
    if summary.refunds is not None:
        refunds = summary.refunds
        refunded_tax = fmt.round_to(refunds.tax, money)
        sheet.section("Refunds in the month")
        sheet.totals(
            [
                (f"Refunded ({refunds.count})", fmt.money(-refunds.gross, money)),
                ("of which tax", fmt.money(-refunded_tax, money)),
                ("Tax net of refunds", fmt.money(collected - refunded_tax, money)),
            ]
        )
    if summary.country_iso2 == "US" and summary.orders:
        _by_state(sheet, summary)
    if summary.orders:
        _orders(sheet, summary, collected)
    sheet.note(
        "Aggregated from the paid BigCommerce orders created in the period; refunds are "
        "those dated in the period of these orders. The aggregate is attached to this PDF."
    )
    return sheet.finish(summary.to_json_bytes(), f"{stem_of(spec)}.json")


def _orders(sheet: Sheet, summary: TaxSummary, collected: Decimal) -> None:
    """The month's orders as the store totals them, summed; where their tax differs from
    the tax collected by rate (each rate's sum rounded on its own), a line says by how much."""
    money = summary.currency
    net = [fmt.round_to(order.net, money) for order in summary.orders]
    tax = [fmt.round_to(order.tax, money) for order in summary.orders]
    gross = [fmt.round_to(order.gross, money) for order in summary.orders]
    sheet.section("Orders")
    sheet.ruled_table(
        order_columns(summary),
        [
            [
                str(order.order_id),
                fmt.day(order.date),
                order.region or "-",
                *(fmt.amount_in(amount[i], money) for amount in (net, tax, gross)),
            ]
            for i, order in enumerate(summary.orders)
        ],
    )
    orders_tax = sum(tax, ZERO)
    # Both sides are sums of rounded figures: the rate rows' and the orders'.
    gap = bridge("orders' tax", collected, orders_tax, len(tax) + len(summary.rows), money)
    sheet.totals(
        [
            ("Orders, net", fmt.money(sum(net, ZERO), money)),
            ("Orders, gross", fmt.money(sum(gross, ZERO), money)),
            ("Tax collected (by rate)", fmt.money(collected, money)),
            *((label, fmt.money(amount, money)) for label, amount in gap),
            ("Orders, tax", fmt.money(orders_tax, money)),
        ]
    )


def _by_state(sheet: Sheet, summary: TaxSummary) -> None:
    """US sales tax is per state: the month's orders by state of the supply."""
    money = summary.currency
    states: dict[str, list[Decimal]] = {}
    for order in summary.orders:
        entry = states.setdefault(order.region or "(no state)", [ZERO, ZERO, ZERO])
        entry[0] += 1
        entry[1] += fmt.round_to(order.net, money)
        entry[2] += fmt.round_to(order.tax, money)
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
