"""The invoice and the per-order tax breakdown: what was charged, and the tax in it."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.render.charges import (
    UNTAXED,
    Charge,
    charges,
    rate_lines,
    rate_text,
)
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    buyer_vat_facts,
    document_gaps,
    finish_order_sheet,
    open_order_sheet,
    order_facts,
    order_totals,
    say_gaps,
    ship_to,
)
from pipeline.flows.commerce.sellers import EU_COUNTRIES
from pipeline.flows.commerce.taxes import tax_country
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.snapshot import OrderSnapshot

RATE_COLUMNS = (
    Column("Tax", 60),
    Column("Rate", 20, "R"),
    Column("Taxable amount", 35, "R"),
    Column("Tax amount", 30, "R"),
    Column("Gross", 35, "R"),
)


def tax_line_columns(currency: str) -> list[Column]:
    return [
        Column("Line", 60),
        Column("Type", 20),
        Column("Tax", 36),
        Column("Rate", 16, "R"),
        Column("Reported", 24, "R"),
        Column(f"Tax ({currency})", 24, "R"),
    ]


def _tax_rate_table(sheet: Sheet, rows: Sequence[Charge], money: str) -> None:
    """Per rate, the sums of the line rows charged at it: the taxable amount is their net,
    the tax their tax at the rate, so the table and the line table agree to the cent."""
    lines = rate_lines(rows)
    if not lines:
        sheet.note("Nothing was charged on this order.")
        return
    sheet.ruled_table(
        RATE_COLUMNS,
        [
            [
                line.tax_name,
                rate_text(line.tax_name, line.rate),
                fmt.money(line.taxable_amount, money),
                fmt.money(line.tax_amount, money),
                fmt.money(line.taxable_amount + line.tax_amount, money),
            ]
            for line in lines
        ],
    )


def _closing_note(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    pricing = "include" if snapshot.order.is_tax_inclusive_pricing else "exclude"
    sheet.note(
        f"Prices were entered {pricing.replace('ude', 'uding')} tax; the table shows net "
        f"amounts, the tax on them and the gross, each rounded to the currency's minor unit; "
        "the totals are the sums of the rows. Where BigCommerce's own total differs from "
        "that sum, a line says by how much: a rounding difference (up to half a minor unit "
        "per row), else another difference. Issued from BigCommerce order "
        f"{snapshot.order.id}; the order "
        "data this document was rendered from is attached to this PDF."
    )


def invoice_lines(rows: Sequence[Charge], money: str) -> list[list[str]]:
    """Every charged line with the same columns: goods, then shipping, handling, gift
    wrapping and fees, so the net, tax and gross columns add up to the totals."""
    return [
        [
            row.label,
            fmt.amount_in(row.unit, money),
            fmt.quantity(row.quantity),
            fmt.amount_in(row.net, money),
            row.rate_label,
            fmt.amount_in(row.tax, money),
            fmt.amount_in(row.gross, money),
        ]
        for row in rows
    ]


def invoice_columns(currency: str) -> list[Column]:
    return [
        Column("Item", 60),
        Column(f"Net unit ({currency})", 22, "R"),
        Column("Qty", 11, "R"),
        Column("Net amount", 23, "R"),
        Column("Rate", 18, "R"),
        Column("Tax", 21, "R"),
        Column("Gross", 25, "R"),
    ]


def _vat_facts(snapshot: OrderSnapshot) -> list[tuple[str, str]]:
    """Art 226 facts beyond the number and date: the supplier's VAT id for the place of
    supply and, for a EU supply, when it was made."""
    seller = snapshot.seller
    country = tax_country(snapshot)
    facts = []
    tax_id = seller.tax_id_for(country)
    if tax_id:
        label = "Supplier VAT ID" if country in EU_COUNTRIES else "Supplier tax ID"
        facts.append((label, tax_id))
    facts += buyer_vat_facts(snapshot)
    facts.append(("Place of supply", country or "-"))
    return facts


def render_invoice(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    facts = order_facts(snapshot, "Invoice no.", str(order.id))
    facts[2] = ("Invoice date", fmt.day(order.date_created))
    facts.append(("Payment", order.payment_method or "-"))
    facts += _vat_facts(snapshot)
    sheet = open_order_sheet(
        snapshot, spec, "INVOICE", f"Invoice {order.id}", COMMERCIAL_TEMPLATE, facts
    )
    say_gaps(sheet, document_gaps(snapshot), "invoice")
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    money = order.currency_code
    rows = charges(snapshot)
    sheet.ruled_table(invoice_columns(money), invoice_lines(rows, money))
    sheet.totals(order_totals(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, rows, money)
    sheet.note(
        f"Invoice number: the BigCommerce order number, unique and sequential within store "
        f"{snapshot.store_hash}. Date of supply: the dispatch date on the shipping "
        "confirmation where it differs from the invoice date (the date payment was received)."
    )
    _closing_note(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def render_tax_breakdown(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    facts = order_facts(snapshot, "Invoice no.", str(order.id))
    sheet = open_order_sheet(
        snapshot, spec, "TAX BREAKDOWN", f"Tax breakdown {order.id}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    money = order.currency_code
    rows = charges(snapshot)
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, rows, money)
    by_line = _tax_by_line(rows, money)
    if by_line:
        sheet.section("Tax by line")
        sheet.ruled_table(tax_line_columns(money), by_line)
        sheet.note(
            "Reported: the tax BigCommerce's tax rows give for the line at the rate, "
            "unrounded. Tax: the line's tax as the invoice shows it, shared over its rates "
            "in proportion to the reported amounts and rounded so that each line adds up."
        )
    sheet.totals(order_totals(snapshot))
    _closing_note(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def _tax_by_line(rows: Sequence[Charge], money: str) -> list[list[str]]:
    """One row per taxed line and rate: what the store reported and the share shown."""
    return [
        [
            row.label.split("\n")[0],
            row.kind,
            name,
            rate_text(name, rate),
            f"{reported:,.4f}" if rate is not None else "-",
            fmt.amount_in(share, money),
        ]
        for row in rows
        for (name, rate), reported, share in row.by_rate
        if name != UNTAXED
    ]
