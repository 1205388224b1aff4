"""Campaign prices end to end, with real workers: the price poll builds the price history
over weeks of the store's clock, a campaign's promotion that lowers prices in DE gets one
prior-price evidence record whose prior price is the emulator's price truth, and its
closeout counts the archived orders that used the promotion.

The first price poll is beat's task on a worker; the later ones run here at the store's
clock, which the test moves weeks ahead (a worker polls at the machine's clock, and the
history dates nothing later than its poll)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from pipeline.celery import app
from pipeline.devtools.chaos.price_truth import true_lowest
from pipeline.flows.campaigns import memory, workspace
from pipeline.flows.campaigns.flow import FLOW
from pipeline.flows.campaigns.items import Closeout, PriceEvidence
from pipeline.flows.campaigns.offers import read_promotion
from pipeline.flows.campaigns.prices import poll as prices
from pipeline.flows.campaigns.prices.evidence import PriorPriceEvidence
from pipeline.flows.campaigns.prices.poll import POLL_PRICES_TASK
from pipeline.flows.campaigns.prices.usage import CampaignUsage
from pipeline.flows.campaigns.workspace import Scope
from pipeline.flows.commerce.pollers import Checkpoints, poll_orders
from pipeline.index.prices import PriceHistory
from pipeline.runtime import redis_client, services
from tests.commerce_world import settled
from tests.flows.approval_world import ApprovalWorld, approval_world
from tests.support import configured, wait_for

from .test_campaigns_e2e import FLOWS, filed, look, poll_ecm

pytestmark = pytest.mark.e2e
DAY = 86400
PRODUCT = 3


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    folder = Path(tmp_path_factory.mktemp("campaign-prices"))
    with approval_world(redis_url, folder / "logs", {"BCRM_FLOWS": FLOWS}) as world:
        yield world


def store_now(world: ApprovalWorld) -> datetime:
    return datetime.fromtimestamp(world.store.store.now(), UTC)


def first_poll(world: ApprovalWorld) -> None:
    """The first price poll, sent to the workers as beat sends it, and waited for."""
    with configured(world.env):
        history = PriceHistory(services.archive_index().engine)
        state = history.observation(world.store_hash)
        before = 0 if state is None else state.polls
        app.send_task(POLL_PRICES_TASK, args=[world.store_hash], queue="control")

        def polled() -> bool:
            done = history.observation(world.store_hash)
            return done is not None and done.polls > before

        wait_for(polled, timeout=120, what="the price poll")


def poll_prices(world: ApprovalWorld) -> None:
    """A price poll at the store's clock."""
    with configured(world.env):
        history = PriceHistory(services.archive_index().engine)
        prices.poll_prices(world.client, history, world.store_hash, store_now(world))


def items(world: ApprovalWorld, kind: type) -> list:
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    return [i for i in memory.every_item(db, world.store_hash) if isinstance(i, kind)]


def test_a_de_reduction_gets_its_prior_price_once_and_its_closeout_counts_its_orders(
    world: ApprovalWorld,
) -> None:
    store, emulator = world.store_hash, world.store
    product = world.client.get_v3(f"/catalog/products/{PRODUCT}")
    initial = (product["price"], product["sale_price"])
    first_poll(world)
    emulator.advance_clock(5 * DAY)
    world.client.request(
        "PUT", f"/v3/catalog/products/{PRODUCT}", body={"price": float(product["price"]) * 0.9}
    )
    poll_prices(world)
    emulator.advance_clock(10 * DAY)
    emulator.change_price(PRODUCT, sale_price=float(product["price"]) * 0.8)  # control panel
    poll_prices(world)
    emulator.advance_clock(3 * DAY)
    emulator.change_price(PRODUCT, sale_price=0)
    emulator.advance_clock(15 * DAY)
    poll_prices(world)
    poll_prices(world)

    starts = store_now(world) - timedelta(minutes=1)
    created = emulator.control.create_promotion(
        name="Herbst DE",
        redemption_type="AUTOMATIC",
        rules=[
            {
                "action": {
                    "cart_items": {
                        "discount": {"percentage_amount": "20"},
                        "items": {"products": [PRODUCT]},
                    }
                }
            }
        ],
        shipping_address={"countries": [{"iso2_country_code": "DE"}]},
        start_date=starts.isoformat(),
        end_date=(starts + timedelta(days=7)).isoformat(),
    )
    promotion_id = int(created["id"])
    subject = f"promotion/{promotion_id}"
    now = datetime.now(UTC)
    scope = Scope(
        store,
        workspace.next_campaign_id(world.maker, store),
        "Herbst DE",
        (now - timedelta(hours=1)).isoformat(),
        (starts + timedelta(days=7)).isoformat(),
        promotions={subject: read_promotion(world.client, promotion_id).approval_fingerprint},
        countries=("DE",),
        max_discount_percent="25",
    )
    workspace.file_campaign(world.maker, scope)
    workspace.decide(world.checker, store, scope.campaign_id, approve=True)
    poll_ecm(world)
    look(world)
    look(world)
    home = workspace.workspace_name(scope.bo_id)
    assert len(filed(world, home, "Prior-Price Evidence")) == 1

    [evidence_item] = [e for e in items(world, PriceEvidence) if e.subject == subject]
    evidence = PriorPriceEvidence.from_json_bytes(evidence_item.source.encode())
    assert evidence.complete
    [item] = [i for i in evidence.items if i.product_id == PRODUCT and i.variant_id == 0]
    truth = true_lowest(
        emulator.price_history(product_id=PRODUCT), PRODUCT, initial, evidence.starts_at
    )
    assert item.prior_price_minor == truth
    # The control panel's sale price was in the window: the lowest, below today's price.
    assert item.price_at_start_minor is not None and truth < item.price_at_start_minor

    used = emulator.place_order(
        customer_id=1, products=[{"product_id": PRODUCT}], promotion_id=promotion_id
    )
    with configured(world.env):
        poll_orders(world.client, Checkpoints(redis_client()), store)
        wait_for(lambda: settled(store), timeout=300, what="the orders archived")
    emulator.advance_clock(60)
    workspace.close(world.maker, store, scope.campaign_id, store_now(world))
    poll_ecm(world)
    look(world)
    look(world)
    assert len(filed(world, home, "Closeout")) == 1
    [closeout] = [c for c in items(world, Closeout) if c.campaign_id == scope.campaign_id]
    usage = CampaignUsage.from_json_bytes(closeout.source.encode())
    assert [o.order_id for o in usage.orders] == [used["id"]]
    assert usage.promotion_uses == {str(promotion_id): 1}
    [total] = usage.totals
    assert total.orders == 1 and total.discount_minor > 0
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    with configured(world.env):
        assert FLOW.polls_completed(db, store)["prices"] >= 5
    assert json.loads(evidence_item.source)["eu_reason"] == "ships to EU countries DE"
