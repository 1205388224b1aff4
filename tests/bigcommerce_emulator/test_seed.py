"""Seed data: deterministic per seed, and as varied as a real store's history."""

from __future__ import annotations

from collections import Counter

from sandbox.bigcommerce.order_views import render_order
from sandbox.bigcommerce.seed import seed_store
from sandbox.bigcommerce.state import Store

ORDERS = 1500


def seeded(seed: int) -> Store:
    store = Store(store_hash="abc", store_id="1", base_url="http://x")
    seed_store(store, orders=ORDERS, seed=seed)
    return store


def snapshot(store: Store) -> list[dict]:
    return [
        render_order(store, o, {"consignments.line_items", "fees"}) for o in store.orders.values()
    ]


def test_same_seed_same_store_different_seed_different_store() -> None:
    first, second, other = seeded(3), seeded(3), seeded(4)
    assert snapshot(first) == snapshot(second)
    assert first.refunds == second.refunds and first.products == second.products
    assert snapshot(first) != snapshot(other)


def test_orders_cover_statuses_countries_and_shapes() -> None:
    store = seeded(5)
    orders = list(store.orders.values())
    assert len(orders) == ORDERS
    statuses = Counter(o.status_id for o in orders)
    assert set(statuses) == set(range(15))
    assert statuses[10] > statuses[13]
    assert {o.currency for o in orders} >= {"USD", "GBP", "EUR", "CAD", "AUD", "JPY"}
    assert {o.billing["country_iso2"] for o in orders} >= {
        "US",
        "GB",
        "DE",
        "FR",
        "NL",
        "CA",
        "AU",
        "JP",
    }
    assert any(o.customer_id == 0 for o in orders) and any(o.customer_id for o in orders)
    assert any(len(o.addresses) > 1 for o in orders)
    assert any(o.is_digital for o in orders)
    assert any(o.coupons for o in orders) and any(o.fees for o in orders)
    assert any(o.messages for o in orders)
    shipped = [o for o in orders if o.status_id == 2 and o.addresses]
    assert shipped and all(o.shipments for o in shipped)
    assert all(o.created <= o.modified for o in orders)


def test_refunds_match_refund_statuses() -> None:
    store = seeded(6)
    for order in store.orders.values():
        if order.status_id == 4:
            assert order.refunded == order.total_inc and order.refund_ids
        elif order.status_id == 14:
            assert 0 < order.refunded < order.total_inc
        else:
            assert order.refunded == 0
    assert any(len(o.refund_ids) > 1 for o in store.orders.values())


def test_names_include_non_latin_scripts_and_edge_cases() -> None:
    store = seeded(8)
    names = " ".join(
        f"{c['first_name']} {c['last_name']} {c['company']}" for c in store.customers.values()
    )
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in names)
    assert any("\u0400" <= ch <= "\u04ff" for ch in names) or any(
        "\u0600" <= ch <= "\u06ff" for ch in names
    )
    assert "'" in names and "<b>" in names


def test_seeded_ids_continue_after_seed() -> None:
    store = seeded(9)
    assert store.next_id("order") == ORDERS + 1
    assert store.next_id("refund") == max(store.refunds) + 1
