"""A campaign's usage from archived orders: orders placed with its promotion and codes
(and one without, and one with another code) archived through the commerce flow's line
writer, counted with their discounts per currency, and the final counters as
BigCommerce shows them."""

from __future__ import annotations

from datetime import timedelta

from pipeline.flows.campaigns.prices.order_discounts import order_discounts_seen
from pipeline.flows.campaigns.prices.usage import campaign_usage
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from tests.campaign_prices.conftest import store_now

TEN_OFF = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}


def test_usage_counts_the_archived_orders_of_the_campaigns_promotions_and_codes(
    store, client, index
) -> None:
    start = store_now(store) - timedelta(minutes=1)
    auto = store.create_promotion(name="Ten off", redemption_type="AUTOMATIC", rules=[TEN_OFF])
    coded = store.create_promotion(name="Coded", redemption_type="COUPON", rules=[TEN_OFF])
    client.request("POST", f"/v3/promotions/{coded['id']}/codes", body={"code": "WINTER"})
    placed = [
        store.place_order(customer_id=1, products=[{"product_id": 1}], promotion_id=auto["id"]),
        store.place_order(
            customer_id=1, products=[{"product_id": 2, "quantity": 2}], coupon_code="winter"
        ),
        store.place_order(  # shipped to Germany: its lines are in euros
            products=[{"product_id": 3}],
            billing_address={"first_name": "A", "country_iso2": "DE", "email": "a@b.de"},
            promotion_id=auto["id"],
        ),
        store.place_order(customer_id=1, products=[{"product_id": 1}]),
        store.place_order(customer_id=1, products=[{"product_id": 1}], coupon_code="SAVE5"),
    ]
    for order in placed:
        order_discounts_seen(index, fetch_order_snapshot(client, store.store_hash, order["id"]))
    end = store_now(store) + timedelta(minutes=1)

    usage = campaign_usage(
        index, client, store.store_hash, [auto["id"]], ["WINTER", "GONE"], start, end
    )

    assert [o.order_id for o in usage.orders] == [o["id"] for o in placed[:3]]
    assert [o.used for o in usage.orders] == [
        (f"promotion {auto['id']}",),
        ("code WINTER",),
        (f"promotion {auto['id']}",),
    ]
    for use, order in zip(usage.orders, placed[:3], strict=True):
        lines = client.get_v2(f"/orders/{order['id']}/products")
        discounted = sum(float(d["amount"]) for line in lines for d in line["applied_discounts"])
        assert use.discount_minor == round(discounted * 100)
        assert use.currency == order["currency_code"]
    totals = {t.currency: (t.orders, t.discount_minor) for t in usage.totals}
    assert totals == {
        "USD": (2, usage.orders[0].discount_minor + usage.orders[1].discount_minor),
        "EUR": (1, usage.orders[2].discount_minor),
    }
    assert usage.promotion_uses == {str(auto["id"]): 2}
    assert usage.code_uses == {"GONE": None, "WINTER": 1}
    later = campaign_usage(
        index, client, store.store_hash, [auto["id"]], [], end, end + timedelta(days=1)
    )
    assert later.orders == () and later.promotion_uses == {str(auto["id"]): 2}
