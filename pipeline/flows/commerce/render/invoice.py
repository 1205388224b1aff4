"""The invoice and the per-order tax breakdown: what was charged, and the tax in it."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    finish_order_sheet,
    open_order_sheet,
    order_facts,
    order_totals,
    ship_to,
)
from pipeline.flows.commerce.taxes import tax_rates
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import Tax
from schemas.snapshot import OrderSnapshot


def _tax_rate_table(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    money = snapshot.order.currency_code
    rows = [
        [
            total.tax_name,
            fmt.rate(total.rate),
            fmt.money(total.taxable_amount, money),
            fmt.money(total.tax_amount, money),
        ]
        for total in tax_rates(snapshot)
    ]
    if not rows:
        sheet.note("No tax was charged on this order.")
        return
    sheet.ruled_table(
        [
            Column("Tax", 80),
            Column("Rate", 25, "R"),
            Column("Taxable", 40, "R"),
            Column("Tax amount", 35, "R"),
        ],
        rows,
    )


def _closing_note(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    pricing = "include" if snapshot.order.is_tax_inclusive_pricing else "exclude"
    sheet.note(
        f"Unit prices {pricing} tax. Issued from BigCommerce order {snapshot.order.id}; "
        "the order data this document was rendered from is attached to this PDF."
    )


def render_invoice(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    facts = order_facts(snapshot, "Invoice no.", str(order.id))
    facts[2] = ("Invoice date", fmt.day(order.date_created))
    facts.append(("Payment", order.payment_method or "-"))
    sheet = open_order_sheet(
        snapshot, spec, "INVOICE", f"Invoice {order.id}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    money = order.currency_code
    unit_price = "Unit price" + (" (gross)" if order.is_tax_inclusive_pricing else " (net)")
    sheet.ruled_table(
        [
            Column("Item", 66),
            Column("SKU", 28),
            Column("Qty", 12, "R"),
            Column(unit_price, 26, "R"),
            Column("Tax", 22, "R"),
            Column("Amount", 26, "R"),
        ],
        [
            [
                line.name,
                line.sku,
                fmt.quantity(line.quantity),
                fmt.money(
                    line.price_inc_tax if order.is_tax_inclusive_pricing else line.price_ex_tax
                ),
                fmt.money(line.total_tax),
                fmt.money(line.total_inc_tax, money),
            ]
            for line in snapshot.products
        ],
    )
    sheet.totals(order_totals(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, snapshot)
    _closing_note(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def render_tax_breakdown(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    facts = order_facts(snapshot, "Invoice no.", str(order.id))
    sheet = open_order_sheet(
        snapshot, spec, "TAX BREAKDOWN", f"Tax breakdown {order.id}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, snapshot)
    money = order.currency_code
    if snapshot.taxes:
        sheet.section("Tax by line")
        sheet.ruled_table(
            [
                Column("Line", 70),
                Column("Type", 22),
                Column("Tax", 36),
                Column("Rate", 18, "R"),
                Column("Amount", 34, "R"),
            ],
            [
                [
                    _tax_line_label(snapshot, tax),
                    tax.line_item_type,
                    tax.name,
                    fmt.rate(tax.rate),
                    fmt.money(tax.line_amount, money),
                ]
                for tax in snapshot.taxes
            ],
        )
    sheet.totals(
        [
            ("Total (net)", fmt.money(order.total_ex_tax, money)),
            ("Total tax", fmt.money(order.total_tax, money)),
        ]
    )
    _closing_note(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def _tax_line_label(snapshot: OrderSnapshot, tax: Tax) -> str:
    if tax.line_item_type == "item" and tax.order_product_id is not None:
        return snapshot.product(tax.order_product_id).name
    return tax.line_item_type.replace("-", " ").capitalize()
