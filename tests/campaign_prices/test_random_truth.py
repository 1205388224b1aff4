"""Weeks of random price changes (API and control panel, prices and sales, up and back
down), polled as they happen: for promotions starting on many days, every prior price the
evidence states equals the emulator's truth, and where the history does not reach back
30 days it states none."""

from __future__ import annotations

import random
from datetime import timedelta

from pipeline.devtools.chaos.price_truth import wrong_prior_prices
from pipeline.flows.campaigns.prices.evidence import prior_price_evidence
from tests.campaign_prices.conftest import DAY, poll, store_now

PRODUCTS = (1, 2, 3, 4, 5)


def test_every_stated_prior_price_equals_the_truth(store, client, index) -> None:
    rng = random.Random(17)
    initial = {}
    for pid in PRODUCTS:
        product = client.get_v3(f"/catalog/products/{pid}")
        initial[pid] = (product["price"], product["sale_price"])
    poll(client, index, store)
    starts = []
    for _ in range(40):
        store.advance_clock(rng.randrange(DAY // 4, 3 * DAY))
        pid = rng.choice(PRODUCTS)
        price = round(rng.uniform(5, 120), 2)
        if rng.random() < 0.3:
            store.change_price(pid, sale_price=round(price * 0.8, 2) if rng.random() < 0.6 else 0)
        elif rng.random() < 0.5:
            store.change_price(pid, price=price)
        else:
            client.request("PUT", f"/v3/catalog/products/{pid}", body={"price": price})
        poll(client, index, store)
        starts.append(store_now(store) + timedelta(hours=rng.randrange(1, 48)))
    rule = {"action": {"cart_items": {"discount": {"percentage_amount": "20"},
                                      "items": {"products": list(PRODUCTS)}}}}  # fmt: skip
    stated = uncovered = 0
    for n, start in enumerate(starts):
        promotion = {"id": n, "name": "p", "rules": [rule], "start_date": start.isoformat(),
                     "shipping_address": {"countries": [{"iso2_country_code": "FR"}]}}  # fmt: skip
        evidence = prior_price_evidence(index, store.store_hash, promotion)
        assert evidence is not None
        body = evidence.to_json()
        assert wrong_prior_prices(store.price_history(), initial, body) == []
        for item in evidence.items:
            stated += item.prior_price_minor is not None
            uncovered += not item.complete
            reaches = start <= store_now(store)  # the last poll ran at the store's now
            covered = start - timedelta(days=30) >= evidence.observation_began
            assert item.complete == (covered and reaches)
    assert stated > 50 and uncovered > 10
