"""Money after the sale: the credit note per refund and the record of each payment event."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    finish_order_sheet,
    open_order_sheet,
    ship_to,
)
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.snapshot import OrderSnapshot

REFUND_ITEM_LABELS = {
    "SHIPPING": "Shipping",
    "HANDLING": "Handling",
    "GIFT_WRAPPING": "Gift wrapping",
    "ORDER": "Order-level adjustment",
    "FEE": "Fee",
}


def render_credit_note(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    refund = snapshot.refund(int(str(spec.part)))
    number = f"{order.id}-{refund.id}"
    facts = [
        ("Credit note no.", number),
        ("Date", fmt.day(refund.created)),
        ("Refers to invoice", str(order.id)),
        ("Invoice date", fmt.day(order.date_created)),
        ("Currency", order.currency_code),
    ]
    sheet = open_order_sheet(
        snapshot, spec, "CREDIT NOTE", f"Credit note {number}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    if refund.reason:
        sheet.key_values([("Reason", refund.reason)])
    money = order.currency_code
    sheet.ruled_table(
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
        sheet.ruled_table(
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


def render_payment_record(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    payment = snapshot.transaction(int(str(spec.part)))
    number = f"{order.id}-{payment.id}"
    facts = [
        ("Record no.", number),
        ("Date", fmt.day(payment.date_created)),
        ("Order no.", str(order.id)),
        ("Currency", payment.currency),
    ]
    sheet = open_order_sheet(
        snapshot, spec, "PAYMENT RECORD", f"Payment record {number}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(
        bill_to(snapshot), ("Order total", [fmt.money(order.total_inc_tax, order.currency_code)])
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
