"""Orders placed with a promotion and a code, archived by real workers through the
commerce flow: their lines' discounts land in the archive index where the lines do, and
a campaign's usage counts them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from pipeline.flows.campaigns.prices.usage import campaign_usage
from pipeline.index.discounts import OrderDiscounts
from pipeline.index.rebuild import rebuild
from pipeline.runtime import services
from tests.campaign_prices.conftest import store_now
from tests.commerce_world import World, archived_world
from tests.index.world import ROOT_ID

pytestmark = pytest.mark.e2e

RULE = {"action": {"cart_value": {"discount": {"percentage_amount": "15"}}}}


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with archived_world(redis_url, tmp_path_factory.mktemp("logs"), 3, seed=13) as archived:
        yield archived


def test_archived_orders_carry_their_discounts_into_the_index(world: World) -> None:
    store = world.store
    start = store_now(store) - timedelta(minutes=1)
    promo = store.create_promotion(name="Fifteen", redemption_type="AUTOMATIC", rules=[RULE])
    placed = store.place_order(
        customer_id=1, products=[{"product_id": 2}], promotion_id=promo["id"]
    )
    coded = store.place_order(customer_id=1, products=[{"product_id": 3}], coupon_code="SAVE5")
    world.archive()
    with world.configured():
        index = services.archive_index()
        end = store_now(store) + timedelta(minutes=1)
        rows = OrderDiscounts(index.engine).used(
            store.store_hash, [str(promo["id"])], ["SAVE5"], start, end
        )
        usage = campaign_usage(
            index, world.client, store.store_hash, [promo["id"]], ["save5"], start, end
        )
    assert {row.order_id for row in rows} == {placed["id"], coded["id"]}
    lines = world.client.get_v2(f"/orders/{placed['id']}/products")
    [discount] = lines[0]["applied_discounts"]
    promo_rows = [r for r in rows if r.order_id == placed["id"]]
    assert [(r.discount.discount_id, r.discount.amount_minor) for r in promo_rows] == [
        (str(promo["id"]), round(float(discount["amount"]) * 100))
    ]
    assert usage.order_count == 2 and usage.promotion_uses == {str(promo["id"]): 1}


def test_a_rebuild_from_the_ecm_gives_the_line_discounts_back(world: World) -> None:
    store = world.store
    promo = store.create_promotion(name="Twelve", redemption_type="AUTOMATIC", rules=[RULE])
    placed = store.place_order(
        customer_id=1, products=[{"product_id": 4}], promotion_id=promo["id"]
    )
    world.archive()
    with world.configured():
        index = services.archive_index()
        discounts = OrderDiscounts(index.engine)
        before = discounts.store_content(store.store_hash)
        assert placed["id"] in before
        discounts.replace_store(store.store_hash, {})  # the rows lost
        lost = rebuild(world.otcs, index, store.store_hash, ROOT_ID, dry_run=True)
        assert placed["id"] in lost.discounts_changed and not lost.lines_changed
        assert lost.to_json()["order_discounts_changed"] == lost.discounts_changed
        rebuild(world.otcs, index, store.store_hash, ROOT_ID)
        assert discounts.store_content(store.store_hash) == before
        assert rebuild(world.otcs, index, store.store_hash, ROOT_ID, dry_run=True).unchanged
