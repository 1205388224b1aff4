"""Prior-price evidence against the emulator's price truth: prices changed over weeks
through the API and the control panel, polled into the index, and a promotion's
30-day low, reduction and coverage as the law asks for them (C-330/23 arithmetic)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pipeline.flows.campaigns.prices.evidence import prior_price_evidence
from tests.campaign_prices.conftest import DAY, poll, store_now
from tests.campaign_prices.truth import true_lowest


def _promotion(pid: int, start: str, rule: dict, **extra: object) -> dict:
    return {
        "id": pid,
        "name": "Winter sale",
        "rules": [rule],
        "start_date": start,
        "currency_code": "*",
        "channels": [],
        "shipping_address": {"countries": [{"iso2_country_code": "DE"}]},
        **extra,
    }


def _percent_off(pct: str, **items: list[int]) -> dict:
    return {"action": {"cart_items": {"discount": {"percentage_amount": pct}, "items": items}}}


def test_the_prior_price_is_the_lowest_of_the_30_days_as_the_store_charged_it(
    store, client, index
) -> None:
    product = client.get_v3("/catalog/products/3", {"include": "variants"})
    multi = next(
        p
        for p in client.get_v3("/catalog/products", {"include": "variants", "limit": 250})
        if len(p["variants"]) > 1
    )
    variant = multi["variants"][1]["id"]
    initial = (product["price"], product["sale_price"])
    assert poll(client, index, store).full
    store.advance_clock(1 * DAY)
    client.request("PUT", "/v3/catalog/products/3", body={"price": 80})
    client.request(
        "PUT", f"/v3/catalog/products/{multi['id']}/variants/{variant}", body={"price": 15}
    )
    poll(client, index, store)
    store.advance_clock(2 * DAY)
    store.change_price(3, sale_price=60)  # the control panel: a short sale
    poll(client, index, store)
    poll(client, index, store)  # a duplicate poll records nothing
    store.advance_clock(3 * DAY)
    store.change_price(3, sale_price=0)
    store.change_price(multi["id"], variant_id=variant, price=19)
    poll(client, index, store)
    store.advance_clock(32 * DAY)
    client.request("PUT", "/v3/catalog/products/3", body={"price": 100})
    poll(client, index, store)
    store.advance_clock(1 * DAY)
    poll(client, index, store)  # the history reaches the start
    starts = store_now(store) - timedelta(minutes=1)
    promotion = _promotion(
        9, starts.isoformat(), _percent_off("30", products=[3], variants=[variant])
    )

    evidence = prior_price_evidence(index, store.store_hash, promotion)

    assert evidence is not None and evidence.complete
    assert evidence.eu_reason == "ships to EU countries DE"
    items = {(i.product_id, i.variant_id): i for i in evidence.items}
    item = items[(3, 0)]
    # The sale of days 3-6 fell before the window (days 9-39 from the first poll)...
    assert item.prior_price_minor == true_lowest(store, 3, initial, starts) == 8000
    assert item.price_at_start_minor == 10000
    assert item.promotional_price_minor == 7000
    # ...so "30% off" is only 12.5% off the prior price: the advertisement does not hold.
    assert (item.reduction_minor, item.reduction_percent) == (1000, Decimal("12.50"))
    assert item.advertised_percent == Decimal("30") and item.advertised_holds is False
    own = items[(multi["id"], variant)]
    assert (
        own.prior_price_minor
        == true_lowest(store, multi["id"], (None, None), starts, variant_id=variant)
        == 1900
    )
    # The variant's 15.00 ended on day 6: 30% off 19.00 is 30% off its prior price.
    assert own.promotional_price_minor == 1330 and own.advertised_holds is True
    assert own.reduction_percent == Decimal("30.00")


def test_a_window_the_history_does_not_cover_says_so_and_gives_no_prior_price(
    store, client, index
) -> None:
    seeded = client.get_v3("/catalog/products/3")
    began = store_now(store)
    poll(client, index, store)
    store.advance_clock(5 * DAY)
    store.change_price(3, price=float(seeded["price"]) + 50)
    poll(client, index, store)
    starts = store_now(store) + timedelta(days=1)
    evidence = prior_price_evidence(
        index, store.store_hash, _promotion(4, starts.isoformat(), _percent_off("10", products=[3]))
    )
    assert evidence is not None and not evidence.complete
    [item] = evidence.items
    assert item.prior_price_minor is None and item.reduction_percent is None
    assert item.advertised_holds is None
    assert evidence.observation_began is not None
    assert item.observed_from == evidence.observation_began
    assert 0 <= (evidence.observation_began - began).total_seconds() <= 5
    # The lowest it saw since observation began, labelled as such, not a prior price.
    assert item.lowest_observed_minor == int(seeded["price"] * 100)
    assert evidence.to_json()["items"][0]["complete"] is False


def test_only_a_reduction_in_the_eu_owes_evidence(store, client, index) -> None:
    poll(client, index, store)
    start = store_now(store).isoformat()
    rule = _percent_off("10", products=[3])
    us_only = {"countries": [{"iso2_country_code": "US"}]}
    free_shipping = {"action": {"shipping": {"free_shipping": True}}}
    assert (
        prior_price_evidence(
            index, store.store_hash, _promotion(1, start, rule, shipping_address=us_only)
        )
        is None
    )
    assert (
        prior_price_evidence(index, store.store_hash, _promotion(2, start, free_shipping)) is None
    )
    anywhere = _promotion(3, start, rule, shipping_address=None)
    assert prior_price_evidence(index, store.store_hash, anywhere) is None
    euro = prior_price_evidence(index, store.store_hash, {**anywhere, "currency_code": "EUR"})
    assert euro is not None and euro.eu_reason == "priced in EUR, an EU currency"
    sells = prior_price_evidence(index, store.store_hash, anywhere, sells_to_eu=True)
    assert sells is not None
    channel = prior_price_evidence(
        index, store.store_hash, {**anywhere, "channels": [{"id": 2}]}, eu_channels={2}
    )
    assert channel is not None and channel.eu_reason == "runs on EU channels 2"


def test_a_product_the_history_never_saw_and_a_store_never_polled_are_not_covered(
    store, client, index
) -> None:
    start = (store_now(store) + timedelta(days=40)).isoformat()
    never = prior_price_evidence(
        index, store.store_hash, _promotion(5, start, _percent_off("10", products=[3]))
    )
    assert never is not None and not never.complete and never.observation_began is None
    [item] = never.items
    assert (item.product_id, item.complete, item.prior_price_minor) == (3, False, None)
    poll(client, index, store)
    store.advance_clock(41 * DAY)
    poll(client, index, store)  # the history reaches the start
    unknown = prior_price_evidence(
        index, store.store_hash, _promotion(6, start, _percent_off("10", products=[3, 999999]))
    )
    assert unknown is not None and not unknown.complete
    items = {i.product_id: i for i in unknown.items}
    assert items[3].complete and items[3].prior_price_minor is not None
    assert not items[999999].complete and items[999999].prior_price_minor is None


def test_a_reduction_the_history_does_not_reach_yet_states_no_prior_price(
    store, client, index
) -> None:
    """Evidence asked before the reduction starts (or before a poll saw the prices up to
    its start) cannot know the lowest price of the whole window: the store may still
    lower it. Found by the campaigns look, which computes evidence once, when it first
    sees a version: a prior price stated then would be wrong after a later sale."""
    seeded = client.get_v3("/catalog/products/3")
    poll(client, index, store)
    store.advance_clock(40 * DAY)
    poll(client, index, store)
    starts = store_now(store) + timedelta(days=2)
    promotion = _promotion(11, starts.isoformat(), _percent_off("10", products=[3]))
    early = prior_price_evidence(index, store.store_hash, promotion)
    assert early is not None and not early.complete
    [item] = [i for i in early.items if (i.product_id, i.variant_id) == (3, 0)]
    assert item.prior_price_minor is None
    # The store then runs a sale inside the window: a prior price stated early was wrong.
    store.advance_clock(1 * DAY)
    store.change_price(3, sale_price=float(seeded["price"]) / 2)
    store.advance_clock(2 * DAY)
    poll(client, index, store)
    late = prior_price_evidence(index, store.store_hash, promotion)
    assert late is not None and late.complete
    [item] = [i for i in late.items if (i.product_id, i.variant_id) == (3, 0)]
    assert item.prior_price_minor == true_lowest(
        store, 3, (seeded["price"], seeded["sale_price"]), starts
    )
