"""Price changes kept in the emulator's own history (the truth tests hold prior prices
against), and orders that use a promotion or a coupon: `applied_discounts` on their
lines and the uses counted."""

from __future__ import annotations

import requests

from tests.bigcommerce_emulator.conftest import Api


def test_price_changes_through_the_api_and_the_control_panel_are_kept_with_their_times(
    make_emulator,
) -> None:
    emu = make_emulator(quota=None)
    admin = emu.admin_url
    with Api(emu.base_url, emu.access_token) as api:
        product = api.get("/v3/catalog/products/3?include=variants").json()["data"]
        variant = product["variants"][0]["id"]
        t0 = requests.get(f"{admin}/prices/history", timeout=10).json()
        assert t0 == {"changes": []}
        assert api.put("/v3/catalog/products/3", json={"price": 40.5}).status_code == 200
        # Not a price field: no entry.
        assert api.put("/v3/catalog/products/3", json={"is_featured": True}).status_code == 200
        moved = requests.post(f"{admin}/clock", json={"advance_s": 86400}, timeout=10).json()
        assert api.put(f"/v3/catalog/products/3/variants/{variant}", json={"sale_price": 30}).ok
        assert api.put("/v3/catalog/products", json=[{"id": 3, "sale_price": 35}]).ok
        panel = requests.put(
            f"{admin}/products/3/price", json={"price": 39, "sale_price": 0}, timeout=10
        )
        assert panel.status_code == 200
        assert requests.put(f"{admin}/products/3/price", json={}, timeout=10).status_code == 400
        history = requests.get(
            f"{admin}/prices/history", params={"product_id": 3}, timeout=10
        ).json()["changes"]
        # Served on the admin surface only, never on the public API.
        assert api.get("/v3/catalog/products/3/prices").status_code == 404
    assert [(c["variant_id"], c["price"], c["sale_price"], c["source"]) for c in history] == [
        (None, 40.5, product["sale_price"], "api"),
        (variant, None, 30, "api"),
        (None, 40.5, 35, "api"),
        (None, 39, 0, "control_panel"),
    ]
    assert history[0]["at"] < moved["now"] <= history[1]["at"]
    assert emu.price_history(variant_id=variant) == [history[1]]


def test_an_order_with_a_promotion_and_a_code_shows_applied_discounts_and_counts_uses(
    make_emulator,
) -> None:
    emu = make_emulator(quota=None)
    admin = emu.admin_url
    rule = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}
    auto = emu.create_promotion(name="Ten off", redemption_type="AUTOMATIC", rules=[rule])
    coupon = emu.create_promotion(
        name="Code five",
        redemption_type="COUPON",
        rules=[{"action": {"cart_items": {"discount": {"fixed_amount": "5"}}}}],
    )
    with Api(emu.base_url, emu.access_token) as api:
        code = api.post(
            f"/v3/promotions/{coupon['id']}/codes", json={"code": "FIVE", "max_uses": 1}
        ).json()["data"]
        legacy_before = api.get("/v2/coupons", params={"code": "SAVE5"}).json()[0]
        placed = requests.post(
            f"{admin}/orders",
            json={
                "customer_id": 1,
                "products": [{"product_id": 1, "quantity": 2}, {"product_id": 2}],
                "promotion_id": auto["id"],
                "coupon_code": "FIVE",
            },
            timeout=10,
        )
        assert placed.status_code == 200, placed.text
        oid = placed.json()["id"]
        lines = api.get(f"/v2/orders/{oid}/products").json()
        order = api.get(f"/v2/orders/{oid}").json()
        used = api.get(f"/v3/promotions/{coupon['id']}/codes").json()["data"][0]
        again = requests.post(
            f"{admin}/orders",
            json={"customer_id": 1, "products": [{"product_id": 1}], "coupon_code": "FIVE"},
            timeout=10,
        )
        legacy = requests.post(
            f"{admin}/orders",
            json={"customer_id": 1, "products": [{"product_id": 1}], "coupon_code": "SAVE5"},
            timeout=10,
        ).json()
        legacy_lines = api.get(f"/v2/orders/{legacy['id']}/products").json()
        legacy_after = api.get("/v2/coupons", params={"code": "SAVE5"}).json()[0]
        order_coupons = api.get(f"/v2/orders/{oid}/coupons").json()
        auto_after = api.get(f"/v3/promotions/{auto['id']}").json()["data"]
    for line in lines:
        ids = [(d["id"], d["code"], d["target"]) for d in line["applied_discounts"]]
        assert ids == [(str(auto["id"]), None, "order"), (str(coupon["id"]), "FIVE", "product")]
        ten = next(d for d in line["applied_discounts"] if d["id"] == str(auto["id"]))
        assert float(ten["amount"]) == round(float(line["total_ex_tax"]) / 10, 2)
    total = sum(float(d["amount"]) for line in lines for d in line["applied_discounts"])
    assert float(order["discount_amount"]) + float(order["coupon_discount"]) == round(total, 2)
    assert used["id"] == code["id"] and used["current_uses"] == 1
    assert auto_after["current_uses"] == 1
    assert [c["type"] for c in order_coupons] == [5]
    assert again.status_code == 400 and "used up" in again.json()["title"]
    assert legacy_after["num_uses"] == legacy_before["num_uses"] + 1
    [legacy_discount] = legacy_lines[0]["applied_discounts"]
    assert legacy_discount["id"] == "total-coupon" and legacy_discount["code"] == "SAVE5"
