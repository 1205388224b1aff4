"""Paging as iterators against the emulator: v2 ends on a short page or 204, v3 on
`meta.pagination`; counted in requests, since every request costs quota."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.integrations.bigcommerce import BigCommerceClient
from sandbox.bigcommerce import BigCommerceEmulator
from schemas.bigcommerce import SourceDateTime
from tests.bigcommerce_client.conftest import SEED_ORDERS

ORDERS_ROUTE = "GET /v2/orders"
STORE_REFUNDS = "GET /v3/orders/payment_actions/refunds"


def _calls(emu: BigCommerceEmulator, route: str) -> int:
    return emu.request_counters().get(route, 0)


def test_v2_orders_page_until_a_short_page(
    emulator: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    before = _calls(emulator, ORDERS_ROUTE)
    orders = list(client.iter_orders(limit=70))
    assert len(orders) == SEED_ORDERS == len({o["id"] for o in orders})
    assert _calls(emulator, ORDERS_ROUTE) - before == 5  # 70*4 + 20: no request for a 204
    modified = [SourceDateTime().deserialize(o["date_modified"]) for o in orders]
    assert modified == sorted(modified)
    for order in orders:  # line items come with the list: no call per order for them
        consignment = order["consignments"][0]
        parts = [*consignment["shipping"], *consignment["downloads"]]
        lines = [line for part in parts for line in part["line_items"]]
        assert sum(line["quantity"] for line in lines) == order["items_total"]


def test_v2_full_last_page_ends_on_204(
    emulator: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    before = _calls(emulator, ORDERS_ROUTE)
    assert len(list(client.iter_orders(limit=100, include=()))) == SEED_ORDERS
    assert _calls(emulator, ORDERS_ROUTE) - before == 4


def test_v2_empty_list_is_one_204(emulator: BigCommerceEmulator, client: BigCommerceClient) -> None:
    before = _calls(emulator, ORDERS_ROUTE)
    assert list(client.iter_orders(min_date_modified=datetime(2999, 1, 1, tzinfo=UTC))) == []
    assert _calls(emulator, ORDERS_ROUTE) - before == 1


def test_v2_date_bounds_are_inclusive_and_must_be_aware(client: BigCommerceClient) -> None:
    everything = list(client.iter_orders(include=()))
    middle = SourceDateTime().deserialize(everything[100]["date_modified"])
    later = list(client.iter_orders(min_date_modified=middle, include=()))
    earlier = list(client.iter_orders(max_date_modified=middle, include=()))
    assert later[0]["date_modified"] == everything[100]["date_modified"]
    assert {o["id"] for o in later} | {o["id"] for o in earlier} == {o["id"] for o in everything}
    with pytest.raises(ValueError, match="aware"):
        next(client.iter_orders(min_date_modified=datetime(2024, 1, 1)))


def test_v3_store_refunds_follow_meta_pagination(
    emulator: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    before = _calls(emulator, STORE_REFUNDS)
    everything = list(client.iter_refunds())
    assert _calls(emulator, STORE_REFUNDS) - before == 1
    paged = list(client.iter_v3("/orders/payment_actions/refunds", limit=7))
    assert paged == everything
    assert _calls(emulator, STORE_REFUNDS) - before == 1 + -(-len(everything) // 7)
    assert [r["id"] for r in everything] == sorted(r["id"] for r in everything)


def test_v3_refund_filters(emulator: BigCommerceEmulator, client: BigCommerceClient) -> None:
    everything = list(client.iter_refunds())
    wanted = sorted({r["order_id"] for r in everything})[:3]
    by_order = list(client.iter_refunds(order_ids=wanted))
    assert {r["order_id"] for r in by_order} == set(wanted)
    assert by_order == [r for r in everything if r["order_id"] in wanted]
    assert client.order_refunds(wanted[0]) == [r for r in everything if r["order_id"] == wanted[0]]
    cut = SourceDateTime().deserialize(everything[len(everything) // 2]["created"])
    assert list(client.iter_refunds(created_min=cut)) == [
        r for r in everything if SourceDateTime().deserialize(r["created"]) >= cut
    ]


def test_v3_transactions_one_page_and_204_is_empty(
    emulator: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    route = "GET /v3/orders/{order_id}/transactions"
    with_some = next(o for o in emulator.store.orders.values() if o.transactions)
    with_none = next(o for o in emulator.store.orders.values() if not o.transactions)
    before = _calls(emulator, route)
    assert len(client.order_transactions(with_some.id)) == len(with_some.transactions)
    assert client.order_transactions(with_none.id) == []
    assert _calls(emulator, route) - before == 2


def test_hooks_created_are_listed(client: BigCommerceClient) -> None:
    destination = "https://hooks.example.invalid/bigcommerce"
    created = client.create_hook("store/order/created", destination, headers={"X-Key": "k"})
    listed = list(client.iter_hooks(destination=destination))
    assert [h["id"] for h in listed] == [created["id"]]
    assert listed[0]["scope"] == "store/order/created" and listed[0]["is_active"] is True
