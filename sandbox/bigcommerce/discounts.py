"""Discounts a checkout applies: a promotion (automatic, or a coupon promotion by one of
its codes) or a legacy v2 coupon, shown on the order lines as `applied_discounts` and
counted on what was used.

Wire shape from orders.v2.oas2.yml `orderProductAppliedDiscounts`: `{id (string), amount
(money string), name, code (null when none), target (order|product)}`; an order-level
discount is spread over the lines in proportion to their price (the same schema's
description). The reference (flows-2-3-4-6-7.md, BigCommerce API facts) says the lines'
`applied_discounts` carry the promotion's id and the code. Not documented, our choice:
a promotion's line shows its id as a string (`"7"`); a legacy v2 coupon shows the spec
example's `total-coupon` with the coupon's code, so a coupon id never reads as a
promotion id. A use moves the promotion's `current_uses` (and the code's), a legacy
coupon's `num_uses`; a promotion coupon also appears in `/orders/{id}/coupons` with
`type` 5 (promotion), a legacy one with its own type (reference §4.4).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import promotions
from .errors import ApiError
from .formats import iso8601, to_cents
from .model import Order, OrderProduct
from .state import Store

LEGACY_COUPON_ID = "total-coupon"
COUPON_TYPE_CODES = {
    "per_item_discount": 0,
    "percentage_discount": 1,
    "per_total_discount": 2,
    "shipping_discount": 3,
    "free_shipping": 4,
    "promotion": 5,
}


def _spread(items: list[OrderProduct], total: int) -> list[int]:
    """`total` over the lines in proportion to their subtotal; the last takes the rest."""
    base = sum(i.price_ex * i.quantity for i in items)
    shares = [total * i.price_ex * i.quantity // base if base else 0 for i in items]
    if shares:
        shares[-1] += total - sum(shares)
    return shares


def _rule_discount(rule: dict[str, Any], items: list[OrderProduct], rate: float) -> list[int]:
    """Per-line discount (order currency) of one `cart_value`/`cart_items` rule."""
    action = rule.get("action") or {}
    body = action.get("cart_value") or action.get("cart_items") or {}
    discount = body.get("discount") or {}
    wanted = {int(x) for x in (body.get("items") or {}).get("products", [])}
    targets = [i for i in items if not wanted or i.product_id in wanted]
    if "percentage_amount" in discount:
        pct = Decimal(str(discount["percentage_amount"]))
        off = {i.id: int(Decimal(i.price_ex * i.quantity) * pct / 100) for i in targets}
        return [off.get(i.id, 0) for i in items]
    if "fixed_amount" in discount:
        fixed = round(to_cents(discount["fixed_amount"]) * rate)
        subtotal = sum(i.price_ex * i.quantity for i in targets)
        shares = dict(
            zip((i.id for i in targets), _spread(targets, min(fixed, subtotal)), strict=True)
        )
        return [shares.get(i.id, 0) for i in items]
    return [0 for _ in items]


def _promotion_by_code(store: Store, code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    for pid, codes in store.promotion_codes.items():
        for row in codes:
            if row["code"].lower() == code.lower():
                return store.promotions[pid], row
    return None


def _legacy_coupon(store: Store, code: str) -> dict[str, Any] | None:
    return next((c for c in store.coupons.values() if c["code"] == code), None)


def apply(
    store: Store,
    order: Order,
    *,
    promotion_id: int | None = None,
    coupon_code: str | None = None,
) -> None:
    """Apply an automatic promotion and/or a code (a promotion's, else a legacy coupon's)
    to a new order; refuse (400) what checkout would refuse: unknown, not live, used up."""
    if promotion_id is not None:
        promo = store.promotions.get(int(promotion_id))
        if promo is None or promo["redemption_type"] != "AUTOMATIC":
            raise ApiError(400, f"Promotion {promotion_id} is not an automatic promotion.")
        _use_promotion(store, order, promo, None)
    if coupon_code:
        found = _promotion_by_code(store, coupon_code)
        if found is not None:
            promo, code_row = found
            if code_row["max_uses"] and code_row["current_uses"] >= code_row["max_uses"]:
                raise ApiError(400, f"The coupon code {coupon_code} is used up.")
            _use_promotion(store, order, promo, code_row)
        else:
            coupon = _legacy_coupon(store, coupon_code)
            if coupon is None or not coupon["enabled"]:
                raise ApiError(400, f"The coupon code {coupon_code} is not valid.")
            _use_coupon(store, order, coupon)


def _line_discount(
    item: OrderProduct, did: str, amount: int, name: str, code: str | None, target: str
) -> None:
    if amount:
        item.discounts.append(
            {"id": did, "amount": amount, "name": name, "code": code, "target": target}
        )


def _use_promotion(
    store: Store, order: Order, promo: dict[str, Any], code_row: dict[str, Any] | None
) -> None:
    if promotions.effective_status(store, promo) != "ENABLED":
        raise ApiError(400, f"Promotion {promo['id']} is not live.")
    now = iso8601(store.now()) or ""
    if promo["start_date"] and promo["start_date"] > now:
        raise ApiError(400, f"Promotion {promo['id']} has not started.")
    per_line = [0 for _ in order.items]
    target = "order"
    for rule in promo["rules"]:
        if "cart_items" in (rule.get("action") or {}):
            target = "product"
        for n, off in enumerate(_rule_discount(rule, order.items, order.exchange_rate)):
            per_line[n] += off
    code = code_row["code"] if code_row else None
    for item, off in zip(order.items, per_line, strict=True):
        _line_discount(item, str(promo["id"]), off, promo["name"], code, target)
    total = sum(per_line)
    order.discount += total
    promo["current_uses"] += 1
    if code_row is not None:
        code_row["current_uses"] += 1
        order.coupon_discount += total
        order.coupons.append(
            {
                "id": store.next_id("order_coupon"),
                "coupon_id": promo["id"],
                "order_id": order.id,
                "code": code_row["code"],
                "amount": 0,
                "type": COUPON_TYPE_CODES["promotion"],
                "discount": total,
            }
        )


def _use_coupon(store: Store, order: Order, coupon: dict[str, Any]) -> None:
    amount = to_cents(coupon["amount"])
    kind = coupon["type"]
    if kind == "percentage_discount":
        per_line = [i.price_ex * i.quantity * amount // 10_000 for i in order.items]
    elif kind == "per_item_discount":
        per_line = [
            min(i.price_ex, round(amount * order.exchange_rate)) * i.quantity for i in order.items
        ]
    elif kind == "per_total_discount":
        subtotal = sum(i.price_ex * i.quantity for i in order.items)
        per_line = _spread(order.items, min(subtotal, round(amount * order.exchange_rate)))
    else:  # shipping discounts leave the product lines alone
        per_line = [0 for _ in order.items]
    target = "product" if kind == "per_item_discount" else "order"
    for item, off in zip(order.items, per_line, strict=True):
        _line_discount(item, LEGACY_COUPON_ID, off, coupon["name"], coupon["code"], target)
    total = sum(per_line)
    order.discount += total
    order.coupon_discount += total
    coupon["num_uses"] += 1
    order.coupons.append(
        {
            "id": store.next_id("order_coupon"),
            "coupon_id": coupon["id"],
            "order_id": order.id,
            "code": coupon["code"],
            "amount": amount / 100,
            "type": COUPON_TYPE_CODES[kind],
            "discount": total,
        }
    )
