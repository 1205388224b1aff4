"""The invoice and the per-order tax breakdown: what was charged, and the tax in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    document_gaps,
    finish_order_sheet,
    open_order_sheet,
    order_facts,
    order_totals,
    say_gaps,
    ship_to,
)
from pipeline.flows.commerce.sellers import EU_COUNTRIES
from pipeline.flows.commerce.taxes import tax_country, tax_rates
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO, Tax
from schemas.snapshot import OrderSnapshot


def _tax_rate_table(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    money = snapshot.order.currency_code
    rows = [
        [
            total.tax_name,
            fmt.rate(total.rate),
            fmt.money(total.taxable_amount, money),
            fmt.money(total.tax_amount, money),
            fmt.money(total.taxable_amount + total.tax_amount, money),
        ]
        for total in tax_rates(snapshot)
    ]
    if not rows:
        sheet.note("No tax was charged on this order.")
        return
    sheet.ruled_table(
        [
            Column("Tax", 60),
            Column("Rate", 20, "R"),
            Column("Taxable amount", 35, "R"),
            Column("Tax amount", 30, "R"),
            Column("Gross", 35, "R"),
        ],
        rows,
    )


def _closing_note(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    pricing = "include" if snapshot.order.is_tax_inclusive_pricing else "exclude"
    sheet.note(
        f"Prices were entered {pricing.replace('ude', 'uding')} tax; the table shows net "
        f"amounts, the tax on them and the gross. Issued from BigCommerce order "
        f"{snapshot.order.id}; the order data this document was rendered from is attached "
        "to this PDF."
    )


def _rate_of(taxes: Sequence[Tax], matches: Callable[[Tax], bool]) -> str:
    """The rate(s) charged on one line: a US line may carry state, county and city tax."""
    rates = sorted({tax.rate for tax in taxes if matches(tax)})
    if not rates:
        return fmt.rate(ZERO)
    return " + ".join(fmt.rate(rate) for rate in rates)


def invoice_lines(snapshot: OrderSnapshot) -> list[list[str]]:
    """Every charged line with the same columns: goods, then shipping, handling, gift
    wrapping and fees, so the net, tax and gross columns add up to the totals."""
    order, taxes = snapshot.order, snapshot.taxes
    money = order.currency_code

    def row(
        label: str, unit: Decimal, qty: int, net: Decimal, rate: str, tax: Decimal, gross: Decimal
    ) -> list[str]:
        return [
            label,
            fmt.amount_in(unit, money),
            fmt.quantity(qty),
            fmt.amount_in(net, money),
            rate,
            fmt.amount_in(tax, money),
            fmt.amount_in(gross, money),
        ]

    rows = [
        row(
            f"{line.name}\nSKU {line.sku}" if line.sku else line.name,
            line.price_ex_tax,
            line.quantity,
            line.total_ex_tax,
            _rate_of(taxes, lambda t, line=line: t.order_product_id == line.id),  # type: ignore[misc]
            line.total_tax,
            line.total_inc_tax,
        )
        for line in snapshot.products
    ]
    for consignment in snapshot.shipping_addresses:
        if consignment.cost_inc_tax == ZERO and consignment.cost_ex_tax == ZERO:
            continue
        method = f" ({consignment.shipping_method})" if consignment.shipping_method else ""
        rows.append(
            row(
                f"Shipping{method}",
                consignment.cost_ex_tax,
                1,
                consignment.cost_ex_tax,
                _rate_of(
                    taxes,
                    lambda t, c=consignment: (  # type: ignore[misc]
                        t.line_item_type == "shipping" and t.order_address_id == c.id
                    ),
                ),
                consignment.cost_tax,
                consignment.cost_inc_tax,
            )
        )
    extras = [
        ("Handling", "handling", order.handling_cost_ex_tax, order.handling_cost_tax),
        ("Gift wrapping", "gift-wrapping", order.wrapping_cost_ex_tax, order.wrapping_cost_tax),
    ]
    for label, kind, net, tax in extras:
        if net != ZERO or tax != ZERO:
            rate = _rate_of(taxes, lambda t, kind=kind: t.line_item_type == kind)  # type: ignore[misc]
            rows.append(row(label, net, 1, net, rate, tax, net + tax))
    for fee in order.fees:
        rows.append(
            row(
                fee.display_name_customer,
                fee.cost_ex_tax,
                1,
                fee.cost_ex_tax,
                fmt.rate(ZERO) if fee.cost_tax == ZERO else "",
                fee.cost_tax,
                fee.cost_ex_tax + fee.cost_tax,
            )
        )
    return rows


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
    sheet.ruled_table(invoice_columns(money), invoice_lines(snapshot))
    sheet.totals(order_totals(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, snapshot)
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
