"""What the client returns loads into typed records: RFC 2822 (v2) and ISO 8601 (v3)
dates become aware datetimes, v2 money strings and v3 money numbers exact Decimals."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from pipeline.integrations.bigcommerce import BigCommerceClient
from pipeline.integrations.bigcommerce.consignments import order_parts
from sandbox.bigcommerce import BigCommerceEmulator
from schemas.bigcommerce import (
    CouponSchema,
    LineItemSchema,
    MessageSchema,
    OrderSchema,
    RefundSchema,
    ShipmentSchema,
    ShippingAddressSchema,
    TaxSchema,
    TransactionSchema,
)


def _aware(*moments: object) -> bool:
    return all(getattr(m, "utcoffset", lambda: None)() is not None for m in moments)


def test_v2_order_from_the_list_loads_with_its_lines(client: BigCommerceClient) -> None:
    raw = next(o for o in client.iter_orders() if o["consignments"][0]["shipping"])
    assert raw["date_created"].endswith("+0000")  # RFC 2822 on the wire
    order = OrderSchema().load(raw)
    assert _aware(order.date_created, order.date_modified)
    assert order.total_inc_tax == Decimal(raw["total_inc_tax"])
    assert str(order.total_inc_tax) == raw["total_inc_tax"]  # scale kept: "336.3200"
    shipping = raw["consignments"][0]["shipping"]
    addresses = [ShippingAddressSchema().load(a) for a in shipping]
    lines = [LineItemSchema().load(i) for a in shipping for i in a["line_items"]]
    assert {line.order_address_id for line in lines} <= {a.id for a in addresses}
    assert all(isinstance(line.total_inc_tax, Decimal) for line in lines)


def test_unshipped_order_has_no_ship_date(client: BigCommerceClient) -> None:
    raw = next(o for o in client.iter_orders(include=()) if o["items_shipped"] == 0)
    assert raw["date_shipped"] == ""
    assert OrderSchema().load(raw).date_shipped is None


def test_v3_numbers_arrive_as_decimals(
    emulator: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    refunds = list(client.iter_refunds())
    raw = next(r for r in refunds if r["payments"])
    assert isinstance(raw["total_amount"], Decimal)  # never a binary float
    refund = RefundSchema().load(raw)
    assert _aware(refund.created)
    assert refund.total_amount == sum(p.amount for p in refund.payments)
    order_id = next(o.id for o in emulator.store.orders.values() if o.transactions)
    transactions = [TransactionSchema().load(t) for t in client.order_transactions(order_id)]
    assert transactions and _aware(*(t.date_created for t in transactions))
    assert all(isinstance(t.amount, Decimal) for t in transactions)


def test_order_subresources_load(emulator: BigCommerceEmulator, client: BigCommerceClient) -> None:
    shipped = next(o for o in emulator.store.orders.values() if o.shipments)
    shipments = [ShipmentSchema().load(s) for s in client.order_shipments(shipped.id)]
    assert len(shipments) == len(shipped.shipments) and _aware(*(s.date_created for s in shipments))
    taxes = [TaxSchema().load(t) for t in client.order_taxes(shipped.id)]
    products = client.order_products(shipped.id)
    assert {t.order_product_id for t in taxes if t.line_item_type == "item"} == {
        p["id"] for p in products
    }
    assert [LineItemSchema().load(p).id for p in products] == [p["id"] for p in products]
    assert len(client.order_shipping_addresses(shipped.id)) == len(shipped.addresses)
    with_coupon = next(o for o in emulator.store.orders.values() if o.coupons)
    coupons = [CouponSchema().load(c) for c in client.order_coupons(with_coupon.id)]
    assert coupons and all(isinstance(c.amount, Decimal) for c in coupons)
    with_messages = next(o for o in emulator.store.orders.values() if o.messages)
    messages = [MessageSchema().load(m) for m in client.order_messages(with_messages.id)]
    assert len(messages) == len(with_messages.messages) and _aware(messages[0].date_created)


def test_single_order_and_store(emulator: BigCommerceEmulator, client: BigCommerceClient) -> None:
    listed = next(client.iter_orders())
    assert client.get_order(listed["id"]) == listed
    assert client.store_information()["id"]


def test_listed_order_holds_its_products_and_addresses(client: BigCommerceClient) -> None:
    listed = list(itertools.islice(client.iter_orders(limit=25), 25))
    for order in listed:
        products, addresses = order_parts(order)
        assert products == client.order_products(order["id"])
        assert addresses == client.order_shipping_addresses(order["id"])
    with pytest.raises(KeyError):
        order_parts(next(client.iter_orders(include=("consignments",))))
