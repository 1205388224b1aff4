"""Orders no fixture has: random rates (single EU rates, stacked US rates), quantities,
discounts, shipping, handling, fees and refunds in several currencies, with money as
BigCommerce sends it (four decimals) and now and then a store total a cent off the sum of
its lines, as real stores round."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from schemas.bigcommerce import (
    ZERO,
    Address,
    Coupon,
    Fee,
    LineItem,
    Order,
    Refund,
    RefundItem,
    ShippingAddress,
    Tax,
)
from schemas.snapshot import OrderSnapshot, Seller

FOUR = Decimal("0.0001")
CURRENCIES = ("EUR", "USD", "JPY", "KWD", "GBP")
EU_RATES = (("VAT 19 %", Decimal("19")), ("VAT 7 %", Decimal("7")), ("VAT 0 %", Decimal("0")))
US_RATES = (
    ("State Tax", Decimal("6.25")),
    ("County Tax", Decimal("1.5")),
    ("City Tax", Decimal("0.5")),
)
SELLER = Seller(
    legal_name="Generated Goods GmbH",
    address_lines=("Teststraße 1", "10115 Berlin", "Germany"),
    country_iso2="DE",
    tax_id="DE999999999",
    email="ap@generated.example",
)
MONTH_START = datetime(2024, 5, 1, tzinfo=UTC)


def _money(rng: random.Random, low: float, high: float, currency: str) -> Decimal:
    scale = 100 if currency == "JPY" else 1
    return Decimal(str(rng.uniform(low * scale, high * scale))).quantize(FOUR)


def _rates(rng: random.Random, us: bool) -> list[tuple[str, Decimal]]:
    if us:
        return rng.sample(US_RATES, rng.randint(1, 3))
    return [rng.choice(EU_RATES)]


def _jitter(rng: random.Random, amount: Decimal) -> Decimal:
    """Now and then a cent off, as a store that rounds per line totals its order."""
    return amount + Decimal(rng.choice((0, 0, 0, 0, 1, -1))) / 100


def generated_order(seed: int, currency: str | None = None) -> OrderSnapshot:
    """One paid order drawn from ``seed``: same seed, same order."""
    rng = random.Random(seed)
    currency = currency or rng.choice(CURRENCIES)
    us = currency == "USD"
    taxes: list[Tax] = []

    def taxed(
        line_type: str, base: Decimal, rates: list[tuple[str, Decimal]], **ids: int
    ) -> Decimal:
        total = ZERO
        for name, rate in rates:
            amount = (base * rate / 100).quantize(FOUR)
            taxes.append(Tax(len(taxes) + 1, name, rate, amount, line_type, **ids))
            total += amount
        return total

    lines = []
    for index in range(rng.randint(1, 7)):
        quantity = rng.randint(1, 5)
        unit = _money(rng, 0.3, 120, currency)
        net = (unit * quantity).quantize(FOUR)
        line_id = 1000 + index
        tax = taxed("item", net, _rates(rng, us), order_product_id=line_id, order_address_id=1)
        tax = _jitter(rng, tax) if tax else tax
        lines.append(
            LineItem(
                id=line_id,
                name=f"Generated item {index}",
                quantity=quantity,
                price_ex_tax=unit,
                price_inc_tax=(unit + tax / quantity).quantize(FOUR),
                total_ex_tax=net,
                total_inc_tax=net + tax,
                total_tax=tax,
                order_address_id=1,
                sku=f"GEN-{seed}-{index}",
            )
        )
    shipping_net = _money(rng, 0, 15, currency) if rng.random() < 0.8 else ZERO
    shipping_tax = taxed("shipping", shipping_net, _rates(rng, us), order_address_id=1)
    address = Address(
        first_name="Gene",
        last_name="Rated",
        street_1="Teststraße 2",
        city="Berlin",
        zip="10115",
        country="United States" if us else "Germany",
        country_iso2="US" if us else "DE",
        state="Oregon" if us else "",
    )
    consignment = ShippingAddress(
        **vars(address),
        id=1,
        shipping_method="Parcel",
        cost_ex_tax=shipping_net,
        cost_tax=shipping_tax,
        cost_inc_tax=shipping_net + shipping_tax,
    )
    handling = _money(rng, 0, 5, currency) if rng.random() < 0.3 else ZERO
    handling_tax = taxed("handling", handling, _rates(rng, us)) if handling else ZERO
    fees = ()
    if rng.random() < 0.3:
        fee_net = _money(rng, 0.5, 4, currency)
        fee_tax = (fee_net * Decimal("0.19")).quantize(FOUR) if rng.random() < 0.5 else ZERO
        fees = (Fee(1, "Service fee", fee_net, fee_net + fee_tax, fee_tax),)
    subtotal = sum((line.total_ex_tax for line in lines), ZERO)
    discount = (subtotal / 10).quantize(FOUR) if rng.random() < 0.4 else ZERO
    coupons = (Coupon(1, "GEN10", Decimal("10"), discount),) if discount else ()
    fees_net = sum((fee.cost_ex_tax for fee in fees), ZERO)
    fees_tax = sum((fee.cost_tax for fee in fees), ZERO)
    total_ex = subtotal + shipping_net + handling + fees_net - discount
    total_tax = _jitter(
        rng,
        sum((line.total_tax for line in lines), ZERO) + shipping_tax + handling_tax + fees_tax,
    )
    created = MONTH_START + timedelta(days=rng.randint(0, 27), seconds=rng.randint(0, 86399))
    order = Order(
        id=5000 + seed,
        status_id=10,
        date_created=created,
        date_modified=created + timedelta(hours=rng.randint(1, 200)),
        currency_code=currency,
        subtotal_ex_tax=subtotal,
        subtotal_inc_tax=subtotal + sum((line.total_tax for line in lines), ZERO),
        total_ex_tax=total_ex,
        total_inc_tax=total_ex + total_tax,
        total_tax=total_tax,
        shipping_cost_ex_tax=shipping_net,
        shipping_cost_tax=shipping_tax,
        shipping_cost_inc_tax=shipping_net + shipping_tax,
        handling_cost_ex_tax=handling,
        handling_cost_tax=handling_tax,
        handling_cost_inc_tax=handling + handling_tax,
        coupon_discount=discount,
        billing_address=address,
        fees=fees,
        payment_method="Credit Card",
    )
    snapshot = OrderSnapshot(
        store_hash="gen123",
        seller=SELLER,
        order=order,
        products=tuple(lines),
        shipping_addresses=(consignment,),
        taxes=tuple(taxes),
        coupons=coupons,
    )
    return replace(snapshot, refunds=(_refund(rng, snapshot),))


def _refund(rng: random.Random, snapshot: OrderSnapshot) -> Refund:
    """An item refund (store tax recorded or not) or an order-level amount."""
    line = rng.choice(snapshot.products)
    created = snapshot.order.date_modified + timedelta(days=1)
    if rng.random() < 0.5:
        gross = (line.total_inc_tax / line.quantity).quantize(FOUR)
        tax = (line.total_tax / line.quantity).quantize(FOUR) if rng.random() < 0.5 else ZERO
        item = RefundItem("PRODUCT", line.id, quantity=1, reason="Damaged")
        return Refund(1, created, gross, tax, "Damaged", items=(item,))
    gross = (snapshot.order.total_inc_tax * Decimal(str(rng.uniform(0.05, 0.9)))).quantize(FOUR)
    return Refund(1, created, gross, ZERO, "Goodwill")
