"""Refund arithmetic and its effect on the order.

Validation follows the refund flow in the docs: items name what is refunded (PRODUCT and
GIFT_WRAPPING by order product and quantity, SHIPPING/HANDLING by order address and amount,
ORDER by order id and a tax-exempt amount, FEE by fee id), the order must be paid, and the
sum may not exceed what is left. Moving the order to Refunded (4) or Partially Refunded (14)
and raising `refunded_amount` is inferred from the docs, not stated by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import order_ops
from .errors import ApiError
from .model import Order
from .state import Store

ITEM_TYPES = ("PRODUCT", "GIFT_WRAPPING", "SHIPPING", "HANDLING", "ORDER", "FEE")


@dataclass(frozen=True)
class RefundLine:
    item_type: str
    item_id: int
    quantity: int | None
    amount: int
    tax: int
    reason: str = ""


Request = tuple[str, int, int | None, int | None]


def _after_discount(order: Order, cents: int) -> int:
    """Order-level discounts are prorated over the lines, so refunding every line never
    returns more than was paid for them."""
    if not order.discount or not order.subtotal_ex:
        return cents
    return round(cents * (order.subtotal_ex - order.discount) / order.subtotal_ex)


def price_lines(
    order: Order, requested: Sequence[Request], reasons: Sequence[str] = ()
) -> list[RefundLine]:
    """Price each requested line; any invalid line makes the whole request a 422."""
    if not requested:
        raise ApiError(422, "At least one refund item is required.")
    if order.payment_status not in order_ops.PAID_STATUSES:
        raise ApiError(422, f"Order {order.id} is not paid; it cannot be refunded.")
    items = {i.id: i for i in order.items}
    addresses = {a.id: a for a in order.addresses}
    fees = {f["id"]: f for f in order.fees}
    lines = []
    for n, (item_type, item_id, quantity, amount) in enumerate(requested):
        reason = reasons[n] if n < len(reasons) else ""
        if item_type not in ITEM_TYPES:
            raise ApiError(422, f"Unknown item_type {item_type!r}.")
        if item_type in ("PRODUCT", "GIFT_WRAPPING"):
            item = items.get(item_id)
            if item is None:
                raise ApiError(422, f"Order product {item_id} is not on order {order.id}.")
            if item_type == "GIFT_WRAPPING":
                raise ApiError(422, f"Order product {item_id} has no gift wrapping to refund.")
            left = item.quantity - item.quantity_refunded
            if quantity is None or not 1 <= quantity <= left:
                raise ApiError(422, f"Quantity for order product {item_id} must be 1..{left}.")
            share = _after_discount(order, item.price_inc * quantity)
            lines.append(
                RefundLine(
                    item_type,
                    item_id,
                    quantity,
                    share,
                    _after_discount(order, item.price_tax * quantity),
                    reason,
                )
            )
            continue
        if amount is None or amount <= 0:
            raise ApiError(422, f"A positive amount is required for {item_type} items.")
        if item_type in ("SHIPPING", "HANDLING"):
            address = addresses.get(item_id)
            if address is None:
                raise ApiError(422, f"Order address {item_id} is not on order {order.id}.")
            cap = address.cost_ex + address.cost_tax if item_type == "SHIPPING" else 0
        elif item_type == "FEE":
            fee = fees.get(item_id)
            if fee is None:
                raise ApiError(422, f"Fee {item_id} is not on order {order.id}.")
            cap = fee["cost_ex"] + fee["cost_tax"]
        else:
            if item_id != order.id:
                raise ApiError(422, "An ORDER item must name the order id.")
            cap = order.total_inc
        if amount > cap:
            raise ApiError(422, f"The amount for {item_type} {item_id} exceeds {cap / 100:.2f}.")
        lines.append(RefundLine(item_type, item_id, None, amount, 0, reason))
    total = sum(line.amount for line in lines)
    if total > order.total_inc - order.refunded:
        left = (order.total_inc - order.refunded) / 100
        raise ApiError(422, f"The refund total exceeds the refundable amount of {left:.2f}.")
    return lines


def apply_refund(
    store: Store,
    order: Order,
    requested: Sequence[Request],
    *,
    reasons: Sequence[str] = (),
    payments: Sequence[dict[str, Any]] | None = None,
    reason: str = "",
    ts: int | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """Record a refund, update the order and its items, add the refund transaction."""
    lines = price_lines(order, requested, reasons)
    total = sum(line.amount for line in lines)
    if payments is None:
        payments = [
            {
                "provider_id": order.payment_method.lower().replace(" ", ""),
                "amount": total,
                "offline": False,
            }
        ]
    elif abs(sum(p["amount"] for p in payments) - total) > 1:
        raise ApiError(422, f"The payments must add up to the refund total {total / 100:.2f}.")
    now = ts if ts is not None else store.now()
    for line in lines:
        if line.item_type == "PRODUCT" and line.quantity:
            item = next(i for i in order.items if i.id == line.item_id)
            item.quantity_refunded += line.quantity
            item.refund_amount += line.amount
    order.refunded += total
    txn = order_ops.transaction(store, order, "refund", total, now)
    refund = {
        "id": store.next_id("refund"),
        "order_id": order.id,
        "user_id": 0,
        "created": now,
        "reason": reason,
        "total_amount": total,
        "total_tax": sum(ln.tax for ln in lines),
        "uses_merchant_override_values": False,
        "items": [
            {
                "item_type": ln.item_type,
                "item_id": ln.item_id,
                "reason": ln.reason,
                "quantity": ln.quantity,
                "requested_amount": ln.amount if ln.quantity is None else None,
            }
            for ln in lines
        ],
        "payments": [
            {
                "id": store.next_id("refund_payment"),
                "provider_id": p["provider_id"],
                "amount": p["amount"],
                "offline": bool(p.get("offline")),
                "is_declined": False,
                "declined_message": "",
                "transaction_id": txn["id"],
            }
            for p in payments
        ],
    }
    store.refunds[refund["id"]] = refund
    order.refund_ids.append(refund["id"])
    full = order.refunded >= order.total_inc
    order.payment_status = "refunded" if full else "partially refunded"
    if notify:
        store.emit(
            "store/order/refund/created",
            {"type": "order", "id": order.id, "refund": {"refund_id": refund["id"]}},
        )
        store.emit(
            "store/order/transaction/created",
            {"type": "transaction", "order_id": order.id, "transaction_id": str(txn["id"])},
        )
        order_ops.set_status(store, order, 4 if full else 14)
    else:
        order.status_id = 4 if full else 14
    return refund
