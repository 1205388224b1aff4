"""Money documents of an order: invoice, tax breakdown, credit note, payment and order record."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pipeline.documents import DocumentRef, last_business_event
from pipeline.render import format as fmt
from pipeline.render.order_sheet import (
    address_lines,
    finish_order_sheet,
    open_order_sheet,
)
from pipeline.render.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO, Tax
from schemas.snapshot import OrderSnapshot

TEMPLATE_VERSION = "commercial-1.0"

REFUND_ITEM_LABELS = {
    "SHIPPING": "Shipping",
    "HANDLING": "Handling",
    "GIFT_WRAPPING": "Gift wrapping",
    "ORDER": "Order-level adjustment",
    "FEE": "Fee",
}


def _order_facts(snapshot: OrderSnapshot, number_label: str, number: str) -> list[tuple[str, str]]:
    order = snapshot.order
    return [
        (number_label, number),
        ("Order no.", str(order.id)),
        ("Order date", fmt.day(order.date_created)),
        ("Currency", order.currency_code),
        ("Customer", f"#{order.customer_id}" if order.customer_id else "Guest"),
    ]


def _ship_to(snapshot: OrderSnapshot) -> tuple[str, list[str]]:
    consignments = snapshot.shipping_addresses
    if not consignments:
        return "Ship to", ["(no physical delivery)"]
    if len(consignments) > 1:
        return "Ship to", [f"{len(consignments)} consignments, see packing slips"]
    return "Ship to", address_lines(consignments[0])


def _bill_to(snapshot: OrderSnapshot) -> tuple[str, list[str]]:
    return "Bill to", address_lines(snapshot.order.billing_address)


def _order_totals(snapshot: OrderSnapshot) -> list[tuple[str, str]]:
    order = snapshot.order
    money = order.currency_code
    rows = [("Subtotal (net)", fmt.money(order.subtotal_ex_tax, money))]
    optional = [
        ("Shipping (net)", order.shipping_cost_ex_tax),
        ("Handling (net)", order.handling_cost_ex_tax),
        ("Gift wrapping (net)", order.wrapping_cost_ex_tax),
    ]
    optional += [(f"{fee.display_name_customer} (net)", fee.cost_ex_tax) for fee in order.fees]
    rows += [(label, fmt.money(amount, money)) for label, amount in optional if amount != ZERO]
    discount = order.coupon_discount + order.discount_amount
    if discount != ZERO:
        codes = ", ".join(coupon.code for coupon in snapshot.coupons)
        label = f"Discount ({codes})" if codes else "Discount"
        rows.append((label, fmt.money(-discount, money)))
    rows.append(("Tax", fmt.money(order.total_tax, money)))
    rows.append(("Total", fmt.money(order.total_inc_tax, money)))
    return rows


def _taxable_base(snapshot: OrderSnapshot, tax: Tax) -> Decimal:
    """The net amount a tax line was charged on, from the line it belongs to."""
    order = snapshot.order
    if tax.line_item_type == "item" and tax.order_product_id is not None:
        return snapshot.product(tax.order_product_id).total_ex_tax
    if tax.line_item_type == "shipping":
        consignment = next(
            (a for a in snapshot.shipping_addresses if a.id == tax.order_address_id), None
        )
        return consignment.cost_ex_tax if consignment else order.shipping_cost_ex_tax
    if tax.line_item_type == "handling":
        return order.handling_cost_ex_tax
    return order.wrapping_cost_ex_tax


def tax_rates(snapshot: OrderSnapshot) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(tax name, rate, taxable amount, tax amount) per distinct tax name and rate."""
    totals: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for tax in snapshot.taxes:
        entry = totals[(tax.name, tax.rate)]
        entry[0] += _taxable_base(snapshot, tax)
        entry[1] += tax.line_amount
    return [(name, rate, base, amount) for (name, rate), (base, amount) in sorted(totals.items())]


def _tax_rate_table(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    money = snapshot.order.currency_code
    rows = [
        [name, fmt.rate(rate), fmt.money(base, money), fmt.money(amount, money)]
        for name, rate, base, amount in tax_rates(snapshot)
    ]
    if not rows:
        sheet.note("No tax was charged on this order.")
        return
    sheet.table(
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


def render_invoice(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    order = snapshot.order
    facts = _order_facts(snapshot, "Invoice no.", str(order.id))
    facts[2] = ("Invoice date", fmt.day(order.date_created))
    facts.append(("Payment", order.payment_method or "-"))
    sheet = open_order_sheet(
        snapshot, ref, "INVOICE", f"Invoice {order.id}", TEMPLATE_VERSION, facts
    )
    sheet.parties(_bill_to(snapshot), _ship_to(snapshot))
    money = order.currency_code
    unit_price = "Unit price" + (" (gross)" if order.is_tax_inclusive_pricing else " (net)")
    sheet.table(
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
    sheet.totals(_order_totals(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, snapshot)
    _closing_note(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def render_tax_breakdown(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    order = snapshot.order
    facts = _order_facts(snapshot, "Invoice no.", str(order.id))
    sheet = open_order_sheet(
        snapshot, ref, "TAX BREAKDOWN", f"Tax breakdown {order.id}", TEMPLATE_VERSION, facts
    )
    sheet.parties(_bill_to(snapshot), _ship_to(snapshot))
    sheet.section("Tax by rate")
    _tax_rate_table(sheet, snapshot)
    money = order.currency_code
    if snapshot.taxes:
        sheet.section("Tax by line")
        sheet.table(
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


def render_credit_note(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    order = snapshot.order
    refund = snapshot.refund(int(str(ref.sub_id)))
    number = f"{order.id}-{refund.id}"
    facts = [
        ("Credit note no.", number),
        ("Date", fmt.day(refund.created)),
        ("Refers to invoice", str(order.id)),
        ("Invoice date", fmt.day(order.date_created)),
        ("Currency", order.currency_code),
    ]
    sheet = open_order_sheet(
        snapshot, ref, "CREDIT NOTE", f"Credit note {number}", TEMPLATE_VERSION, facts
    )
    sheet.parties(_bill_to(snapshot), _ship_to(snapshot))
    if refund.reason:
        sheet.key_values([("Reason", refund.reason)])
    money = order.currency_code
    sheet.table(
        [
            Column("Refunded item", 90),
            Column("Reason", 50),
            Column("Qty", 15, "R"),
            Column("Amount", 25, "R"),
        ],
        [
            [
                _refund_item_label(snapshot, item.item_type, item.item_id),
                item.reason,
                "" if item.quantity is None else fmt.quantity(item.quantity),
                "" if item.requested_amount is None else fmt.money(item.requested_amount),
            ]
            for item in refund.items
        ],
    )
    sheet.totals(
        [
            ("of which tax", fmt.money(refund.total_tax, money)),
            ("Total credited", fmt.money(refund.total_amount, money)),
        ]
    )
    if refund.payments:
        sheet.section("Refund payments")
        sheet.table(
            [Column("Provider", 70), Column("Status", 70), Column("Amount", 40, "R")],
            [
                [
                    payment.provider_id,
                    "declined" if payment.is_declined else ("offline" if payment.offline else "ok"),
                    fmt.money(payment.amount, money),
                ]
                for payment in refund.payments
            ],
        )
    return finish_order_sheet(sheet, snapshot)


def _refund_item_label(snapshot: OrderSnapshot, item_type: str, item_id: int) -> str:
    if item_type == "PRODUCT":
        line = next((line for line in snapshot.products if line.id == item_id), None)
        return line.name if line else f"Product line {item_id}"
    return REFUND_ITEM_LABELS.get(item_type, item_type.capitalize())


def render_payment_record(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    order = snapshot.order
    payment = snapshot.transaction(int(str(ref.sub_id)))
    number = f"{order.id}-{payment.id}"
    facts = [
        ("Record no.", number),
        ("Date", fmt.day(payment.date_created)),
        ("Order no.", str(order.id)),
        ("Currency", payment.currency),
    ]
    sheet = open_order_sheet(
        snapshot, ref, "PAYMENT RECORD", f"Payment record {number}", TEMPLATE_VERSION, facts
    )
    sheet.parties(
        _bill_to(snapshot), ("Order total", [fmt.money(order.total_inc_tax, order.currency_code)])
    )
    sheet.section("Transaction")
    sheet.key_values(
        [
            ("Transaction", str(payment.id)),
            ("Recorded at", fmt.timestamp(payment.date_created)),
            ("Event", payment.event),
            ("Method", payment.method),
            ("Gateway", payment.gateway or "-"),
            ("Gateway reference", payment.gateway_transaction_id or "-"),
            ("Refers to transaction", str(payment.reference_transaction_id or "-")),
            ("Status", payment.status),
            ("Offline payment", "yes" if payment.offline else "no"),
            ("Test mode", "yes" if payment.test else "no"),
        ]
    )
    sheet.totals([("Amount", fmt.money(payment.amount, payment.currency))])
    return finish_order_sheet(sheet, snapshot)


def render_order_record(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    order = snapshot.order
    facts = _order_facts(snapshot, "Order no.", str(order.id))[1:]
    facts += [
        ("Status", order.status or str(order.status_id)),
        ("As of", fmt.day(last_business_event(snapshot))),
    ]
    sheet = open_order_sheet(
        snapshot, ref, "ORDER RECORD", f"Order record {order.id}", TEMPLATE_VERSION, facts
    )
    sheet.parties(_bill_to(snapshot), _ship_to(snapshot))
    money = order.currency_code
    sheet.table(
        [
            Column("Item", 70),
            Column("SKU", 28),
            Column("Qty", 14, "R"),
            Column("Shipped", 18, "R"),
            Column("Refunded", 20, "R"),
            Column("Amount", 30, "R"),
        ],
        [
            [
                line.name,
                line.sku,
                fmt.quantity(line.quantity),
                fmt.quantity(line.quantity_shipped),
                fmt.quantity(line.quantity_refunded),
                fmt.money(line.total_inc_tax, money),
            ]
            for line in snapshot.products
        ],
    )
    totals = _order_totals(snapshot)
    if order.refunded_amount != ZERO:
        totals.append(("Refunded", fmt.money(-order.refunded_amount, money)))
    sheet.totals(totals, emphasise_last=order.refunded_amount == ZERO)
    _order_history(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def _order_history(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    money = snapshot.order.currency_code
    if snapshot.shipments:
        sheet.section("Shipments")
        sheet.table(
            [
                Column("Shipment", 22),
                Column("Date", 24),
                Column("Carrier", 34),
                Column("Tracking", 70),
                Column("Items", 30, "R"),
            ],
            [
                [
                    str(s.id),
                    fmt.day(s.date_created),
                    s.tracking_carrier or s.shipping_provider,
                    s.tracking_number,
                    fmt.quantity(sum(item.quantity for item in s.items)),
                ]
                for s in snapshot.shipments
            ],
        )
    if snapshot.refunds:
        sheet.section("Refunds")
        sheet.table(
            [
                Column("Refund", 22),
                Column("Date", 24),
                Column("Reason", 104),
                Column("Amount", 30, "R"),
            ],
            [
                [str(r.id), fmt.day(r.created), r.reason, fmt.money(r.total_amount, money)]
                for r in snapshot.refunds
            ],
        )
    if snapshot.transactions:
        sheet.section("Payments")
        sheet.table(
            [
                Column("Transaction", 24),
                Column("Date", 24),
                Column("Event", 30),
                Column("Method", 40),
                Column("Status", 22),
                Column("Amount", 40, "R"),
            ],
            [
                [
                    str(t.id),
                    fmt.day(t.date_created),
                    t.event,
                    t.method,
                    t.status,
                    fmt.money(t.amount, t.currency),
                ]
                for t in snapshot.transactions
            ],
        )
