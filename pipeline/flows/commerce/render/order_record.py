"""The order record: the whole order as it stood when it closed, with its history."""

from __future__ import annotations

from decimal import Decimal

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.documents import SETTLED_TRANSACTION_EVENTS, last_business_event
from pipeline.flows.commerce.render.order_sheet import (
    COMMERCIAL_TEMPLATE,
    bill_to,
    finish_order_sheet,
    open_order_sheet,
    order_facts,
    order_totals,
    ship_to,
)
from pipeline.flows.commerce.render.payments import OUTGOING_EVENTS, signed_amount
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO
from schemas.snapshot import OrderSnapshot


def render_order_record(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    facts = order_facts(snapshot, "Order no.", str(order.id))[1:]
    facts += [
        ("Status", order.status or str(order.status_id)),
        ("As of", fmt.day(last_business_event(snapshot))),
    ]
    sheet = open_order_sheet(
        snapshot, spec, "ORDER RECORD", f"Order record {order.id}", COMMERCIAL_TEMPLATE, facts
    )
    sheet.parties(bill_to(snapshot), ship_to(snapshot))
    money = order.currency_code
    sheet.ruled_table(
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
    totals = order_totals(snapshot)
    if order.refunded_amount != ZERO:
        totals.append(("Refunded", fmt.money(-order.refunded_amount, money)))
    sheet.totals(totals, emphasise_last=order.refunded_amount == ZERO)
    _order_history(sheet, snapshot)
    return finish_order_sheet(sheet, snapshot)


def _order_history(sheet: Sheet, snapshot: OrderSnapshot) -> None:
    money = snapshot.order.currency_code
    if snapshot.shipments:
        sheet.section("Shipments")
        sheet.ruled_table(
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
        sheet.ruled_table(
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
        sheet.ruled_table(
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
                    fmt.money(signed_amount(t), t.currency),
                ]
                for t in snapshot.transactions
            ],
        )
    paid = net_paid(snapshot)
    sheet.totals(
        [
            ("Paid", fmt.money(paid[0], money)),
            ("Refunded", fmt.money(-paid[1], money)),
            ("Net paid after refunds", fmt.money(paid[0] - paid[1], money)),
        ]
    )


def net_paid(snapshot: OrderSnapshot) -> tuple[Decimal, Decimal]:
    """(paid, refunded) from the successful transactions; from the order's total and
    refunded amount when the store reported no transactions."""
    order = snapshot.order
    settled = [t for t in snapshot.transactions if t.status == "ok"]
    if not settled:
        return order.total_inc_tax, order.refunded_amount
    paid = sum((t.amount for t in settled if t.event in SETTLED_TRANSACTION_EVENTS), ZERO)
    refunded = sum((t.amount for t in settled if t.event in OUTGOING_EVENTS), ZERO)
    return paid, refunded
