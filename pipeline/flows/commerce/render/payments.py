"""Money after the sale: the credit note per refund and the record of each payment event."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.documents import SETTLED_TRANSACTION_EVENTS
from pipeline.flows.commerce.render.charges import bridge, split
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    buyer_vat_facts,
    document_gaps,
    finish_order_sheet,
    open_order_sheet,
    say_gaps,
    ship_to,
)
from pipeline.flows.commerce.taxes import tax_country, tax_rates
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.bigcommerce import ZERO, Refund, RefundItem, Transaction
from schemas.snapshot import OrderSnapshot

# Transaction events that move money back to the buyer (`GET /v3/orders/{id}/transactions`).
OUTGOING_EVENTS = frozenset({"refund"})

REFUND_ITEM_LABELS = {
    "SHIPPING": "Shipping",
    "HANDLING": "Handling",
    "GIFT_WRAPPING": "Gift wrapping",
    "ORDER": "Order-level adjustment",
    "FEE": "Fee",
}


def _order_tax_ratio(snapshot: OrderSnapshot) -> Decimal:
    """The share of tax in a gross amount of the order, from its tax rates: each rate's
    gross part of the order times the rate's tax in it (``tax_rates``), or the order's
    own totals when its tax rows were not read. Both give tax / gross of the order."""
    rates = tax_rates(snapshot)
    gross = sum((r.taxable_amount + r.tax_amount for r in rates), ZERO)
    if rates and gross != ZERO:
        return sum((r.tax_amount for r in rates), ZERO) / gross
    order = snapshot.order
    return order.total_tax / order.total_inc_tax if order.total_inc_tax != ZERO else ZERO


def _line_tax_ratio(snapshot: OrderSnapshot, item_type: str, item_id: int) -> Decimal:
    """Tax / gross of the line a refund item gives back: the product line's own, the
    shipping's, else the order's."""
    order = snapshot.order
    if item_type == "PRODUCT":
        line = next((line for line in snapshot.products if line.id == item_id), None)
        if line is not None and line.total_inc_tax != ZERO:
            return line.total_tax / line.total_inc_tax
    if item_type == "SHIPPING" and order.shipping_cost_inc_tax != ZERO:
        return order.shipping_cost_tax / order.shipping_cost_inc_tax
    return _order_tax_ratio(snapshot)


def _item_amount(snapshot: OrderSnapshot, item: RefundItem) -> Decimal | None:
    """What a refund item gives back, gross: the amount asked for, else its quantity at
    the line's gross unit price."""
    money = snapshot.order.currency_code
    if item.requested_amount is not None:
        return fmt.round_to(item.requested_amount, money)
    if item.item_type == "PRODUCT" and item.quantity:
        line = next((line for line in snapshot.products if line.id == item.item_id), None)
        if line is not None and line.quantity:
            return fmt.round_to(line.total_inc_tax / line.quantity * item.quantity, money)
    return None


def refund_lines(
    snapshot: OrderSnapshot, refund: Refund
) -> list[tuple[str, str, str, Decimal, Decimal]]:
    """(label, reason, quantity, gross amount, tax) per refunded item; an order-level
    refund (no items, or an ORDER item) is one line whose tax share follows the order's
    tax rates. The amounts add up to the refund's total."""
    lines = []
    for item in refund.items:
        amount = _item_amount(snapshot, item)
        if amount is None:
            continue
        ratio = _line_tax_ratio(snapshot, item.item_type, item.item_id)
        lines.append(
            (
                _refund_item_label(snapshot, item.item_type, item.item_id),
                item.reason,
                "" if item.quantity is None else fmt.quantity(item.quantity),
                amount,
                amount * ratio,
            )
        )
    given = sum((line[3] for line in lines), ZERO)
    rest = fmt.round_to(refund.total_amount - given, snapshot.order.currency_code)
    if rest > ZERO:
        lines.append(
            (
                REFUND_ITEM_LABELS["ORDER"],
                refund.reason,
                "",
                rest,
                rest * _order_tax_ratio(snapshot),
            )
        )
    return lines


def credit_note_columns(currency: str) -> list[Column]:
    return [
        Column("Refunded item", 62),
        Column("Reason", 38),
        Column("Qty", 10, "R"),
        Column(f"Net ({currency})", 22, "R"),
        Column("Tax", 22, "R"),
        Column("Gross", 26, "R"),
    ]


@dataclass(frozen=True)
class CreditedRow:
    """A credit note's row in minor units: gross and tax as shown (net is their
    difference, so the row adds up)."""

    label: str
    reason: str
    quantity: str
    gross: Decimal
    tax: Decimal


def credited_rows(snapshot: OrderSnapshot, refund: Refund) -> list[CreditedRow]:
    """The refund's lines rounded for the page. When BigCommerce recorded the refund's tax,
    that figure is shared over the lines in proportion to their computed tax (or gross),
    so the tax column adds up to the store's; else each line shows its computed share."""
    money = snapshot.order.currency_code
    lines = refund_lines(snapshot, refund)
    taxes = [fmt.round_to(line[4], money) for line in lines]
    if refund.total_tax != ZERO and lines:
        weights = [line[4] for line in lines]
        if not any(weights):
            weights = [line[3] for line in lines]
        taxes = split(fmt.round_to(refund.total_tax, money), weights, money)
    return [
        CreditedRow(label, reason, qty, fmt.round_to(gross, money), tax)
        for (label, reason, qty, gross, _), tax in zip(lines, taxes, strict=True)
    ]


def render_credit_note(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    refund = snapshot.refund(int(str(spec.part)))
    number = f"{order.id}-{refund.id}"
    money = order.currency_code
    facts = [
        ("Credit note no.", number),
        ("Date", fmt.day(refund.created)),
        ("Corrects invoice", str(order.id)),
        ("Invoice date", fmt.day(order.date_created)),
        ("Currency", money),
    ]
    tax_id = snapshot.seller.tax_id_for(tax_country(snapshot))
    if tax_id:
        facts.append(("Supplier VAT ID", tax_id))
    facts += buyer_vat_facts(snapshot)
    sheet = open_order_sheet(
        snapshot, spec, "CREDIT NOTE", f"Credit note {number}", COMMERCIAL_TEMPLATE, facts
    )
    say_gaps(sheet, document_gaps(snapshot), "credit note")
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    sheet.key_values(
        [
            ("Corrects", f"Invoice {order.id} of {fmt.day(order.date_created)}"),
            ("Reason", refund.reason or "(none given)"),
        ]
    )
    rows = credited_rows(snapshot, refund)
    sheet.ruled_table(
        credit_note_columns(money),
        [
            [
                row.label,
                row.reason,
                row.quantity,
                fmt.amount_in(row.gross - row.tax, money),
                fmt.amount_in(row.tax, money),
                fmt.amount_in(row.gross, money),
            ]
            for row in rows
        ],
    )
    gross = sum((row.gross for row in rows), ZERO)
    computed_tax = sum((row.tax for row in rows), ZERO)
    totals = [
        ("Net credited", gross - computed_tax),
        ("Tax credited", computed_tax),
        *bridge("refund", gross, refund.total_amount, len(rows), money),
        ("Total credited", fmt.round_to(refund.total_amount, money)),
    ]
    sheet.totals([(label, fmt.money(amount, money)) for label, amount in totals])
    if refund.total_tax == ZERO and computed_tax != ZERO:
        sheet.note(
            "BigCommerce recorded no tax on this refund; the tax credited is the refunded "
            "amount's share of tax at the order's tax rates."
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


def refunded_transaction(snapshot: OrderSnapshot, payment: Transaction) -> Transaction | None:
    """The transaction a refund gives money back from: the one it references, else the
    order's only settling transaction."""
    if payment.reference_transaction_id is not None:
        return next(
            (t for t in snapshot.transactions if t.id == payment.reference_transaction_id), None
        )
    settled = [
        t
        for t in snapshot.transactions
        if t.event in SETTLED_TRANSACTION_EVENTS and t.status == "ok" and t.id != payment.id
    ]
    return settled[0] if len(settled) == 1 else None


def signed_amount(payment: Transaction) -> Decimal:
    """Money in positive, money given back (refunds, voids of a capture) negative."""
    return -payment.amount if payment.event in OUTGOING_EVENTS else payment.amount


def render_payment_record(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    payment = snapshot.transaction(int(str(spec.part)))
    number = f"{order.id}-{payment.id}"
    is_refund = payment.event in OUTGOING_EVENTS
    facts = [
        ("Record no.", number),
        ("Date", fmt.day(payment.date_created)),
        ("Order no.", str(order.id)),
        ("Currency", payment.currency),
    ]
    heading = "REFUND RECORD" if is_refund else "PAYMENT RECORD"
    sheet = open_order_sheet(
        snapshot, spec, heading, f"Payment record {number}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(
        bill_to(snapshot), ("Order total", [fmt.money(order.total_inc_tax, order.currency_code)])
    )
    sheet.section("Transaction")
    rows = [
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
    if is_refund:
        original = refunded_transaction(snapshot, payment)
        rows[6] = (
            "Refunds transaction",
            f"{original.id} ({original.event} of {fmt.day(original.date_created)}, "
            f"{fmt.money(original.amount, original.currency)})"
            if original
            else "(not identified by BigCommerce)",
        )
    sheet.key_values(rows)
    label = "Amount refunded" if is_refund else "Amount"
    sheet.totals([(label, fmt.money(signed_amount(payment), payment.currency))])
    return finish_order_sheet(sheet, snapshot)
