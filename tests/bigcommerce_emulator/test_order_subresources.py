"""Orders v2 sub-resources: products, addresses, shipments (with 204 when none), coupons,
taxes, messages, consignments, fees."""

from __future__ import annotations

from tests.bigcommerce_emulator.conftest import Api


def first(api: Api, query: str, predicate) -> dict:
    for order in api.get(f"/v2/orders?limit=250&{query}").json():
        if predicate(order):
            return order
    raise AssertionError(f"no seeded order matches {query}")


def test_products_and_one_product(api: Api) -> None:
    products = api.get("/v2/orders/1/products").json()
    assert products and all(p["order_id"] == 1 for p in products)
    assert {"sku", "price_inc_tax", "quantity_refunded", "product_options"} <= set(products[0])
    one = api.get(f"/v2/orders/1/products/{products[0]['id']}").json()
    assert one == products[0]
    assert api.get("/v2/orders/1/products/99999999").status_code == 404


def test_product_options_follow_the_ordered_variant(emulator, api: Api) -> None:
    store = emulator.store
    lines = [
        p
        for o in api.get("/v2/orders?limit=60").json()
        for p in api.get(f"/v2/orders/{o['id']}/products").json()
    ]
    with_options = [p for p in lines if store.variants[p["variant_id"]]["option_values"]]
    without = [p for p in lines if not store.variants[p["variant_id"]]["option_values"]]
    assert with_options and without
    assert all(p["product_options"] == [] for p in without)
    for line in with_options:
        chosen = store.variants[line["variant_id"]]["option_values"]
        options = line["product_options"]
        assert [o["display_value"] for o in options] == [v["label"] for v in chosen]
        assert [o["value"] for o in options] == [str(v["id"]) for v in chosen]
        for option in options:
            assert set(option) == {
                "id",
                "option_id",
                "order_product_id",
                "product_option_id",
                "display_name",
                "display_name_customer",
                "display_name_merchant",
                "display_value",
                "display_value_customer",
                "display_value_merchant",
                "value",
                "type",
                "name",
                "display_style",
            }
            assert option["order_product_id"] == line["id"]
            assert option["display_value_customer"] == option["display_value"]
            assert option["display_name_merchant"] == option["display_name"]
    sizes = [o for p in with_options for o in p["product_options"] if o["display_name"] == "Size"]
    assert sizes and all(o["type"] == "Multiple choice" for o in sizes)
    ids = [o["id"] for p in with_options for o in p["product_options"]]
    assert len(ids) == len(set(ids))
    values = {(o["display_value"], o["value"]) for o in sizes}
    assert len({v for _, v in values}) == len(values)  # one id per option value


def test_placed_order_lines_carry_the_variants_options(make_emulator) -> None:
    emu = make_emulator(quota=None)
    product = next(p for p in emu.store.products.values() if p["sku"].startswith("TSH-"))
    variant = emu.store.variants[product["_variant_ids"][5]]
    order = emu.place_order(
        customer_id=1, products=[{"product_id": product["id"], "variant_id": variant["id"]}]
    )
    with Api(emu.base_url, emu.access_token) as api:
        line = api.get(f"/v2/orders/{order['id']}/products").json()[0]
    assert [(o["display_name"], o["display_value"]) for o in line["product_options"]] == [
        (v["option_display_name"], v["label"]) for v in variant["option_values"]
    ]
    assert {o["product_option_id"] for o in line["product_options"]} == {
        product["id"] * 1000 + v["option_id"] for v in variant["option_values"]
    }


def test_shipping_addresses_and_quotes_link(api: Api) -> None:
    order = first(api, "", lambda o: o["shipping_address_count"] > 1)
    addresses = api.get(f"/v2/orders/{order['id']}/shipping_addresses").json()
    assert len(addresses) == order["shipping_address_count"]
    assert addresses[0]["shipping_quotes"]["resource"].endswith("/shipping_quotes")
    quotes = api.get(
        f"/v2/orders/{order['id']}/shipping_addresses/{addresses[0]['id']}/shipping_quotes"
    )
    assert quotes.status_code == 204


def test_digital_orders_have_no_addresses(api: Api) -> None:
    order = first(api, "", lambda o: o["order_is_digital"])
    assert api.get(f"/v2/orders/{order['id']}/shipping_addresses").status_code == 204


def test_shipments_204_when_none_then_lifecycle(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        order = first(api, "status_id=11", lambda o: not o["order_is_digital"])
        oid = order["id"]
        assert api.get(f"/v2/orders/{oid}/shipments").status_code == 204
        assert api.get(f"/v2/orders/{oid}/shipments/count").json() == {"count": 0}
        address = api.get(f"/v2/orders/{oid}/shipping_addresses").json()[0]
        items = [
            {"order_product_id": p["id"], "quantity": p["quantity"]}
            for p in api.get(f"/v2/orders/{oid}/products").json()
            if p["order_address_id"] == address["id"]
        ]
        assert api.post(f"/v2/orders/{oid}/shipments", json={"items": items}).status_code == 400
        created = api.post(
            f"/v2/orders/{oid}/shipments",
            json={
                "order_address_id": address["id"],
                "items": items,
                "tracking_number": "1Z1",
                "tracking_carrier": "ups",
            },
        )
        assert created.status_code == 201
        shipment = created.json()
        assert shipment["tracking_link"].endswith("1Z1")
        assert shipment["shipping_address"]["city"] == address["city"]
        assert api.get(f"/v2/orders/{oid}").json()["status_id"] in (2, 3)
        again = api.post(
            f"/v2/orders/{oid}/shipments", json={"order_address_id": address["id"], "items": items}
        )
        assert again.status_code == 400
        sid = shipment["id"]
        updated = api.put(f"/v2/orders/{oid}/shipments/{sid}", json={"tracking_number": "2"})
        assert updated.json()["tracking_number"] == "2"
        assert api.get(f"/v2/orders/{oid}/shipments/count").json() == {"count": 1}
        assert api.delete(f"/v2/orders/{oid}/shipments/{sid}").status_code == 204
        assert api.get(f"/v2/orders/{oid}/shipments").status_code == 204


def test_seeded_shipments_have_carrier_and_tracking(api: Api) -> None:
    order = first(api, "status_id=2", lambda o: True)
    shipments = api.get(f"/v2/orders/{order['id']}/shipments").json()
    assert shipments[0]["tracking_carrier"] and shipments[0]["tracking_number"]
    assert shipments[0]["items"]


def test_coupons_taxes_and_details(api: Api) -> None:
    order = first(api, "", lambda o: o["coupon_discount"] != "0.0000")
    coupons = api.get(f"/v2/orders/{order['id']}/coupons").json()
    assert coupons[0]["discount"] == order["coupon_discount"]
    assert {"code", "type", "amount"} <= set(coupons[0])
    plain = api.get(f"/v2/orders/{order['id']}/taxes").json()
    detailed = api.get(f"/v2/orders/{order['id']}/taxes?details=true").json()
    total = sum(float(t["line_amount"]) for t in plain)
    assert abs(total - sum(float(t["line_amount"]) for t in detailed)) < 0.005
    assert abs(total - float(order["total_tax"])) < 0.005
    assert any(t["order_product_id"] for t in detailed)
    none = first(api, "", lambda o: o["coupon_discount"] == "0.0000")
    assert api.get(f"/v2/orders/{none['id']}/coupons").status_code == 204


def test_messages_and_filters(api: Api) -> None:
    for order in api.get("/v2/orders?limit=250").json():
        response = api.get(f"/v2/orders/{order['id']}/messages")
        if response.status_code == 200:
            messages = response.json()
            break
    else:
        raise AssertionError("no seeded order has messages")
    assert {"subject", "message", "status", "is_flagged", "customer"} <= set(messages[0])
    oid = messages[0]["order_id"]
    only = api.get(f"/v2/orders/{oid}/messages?min_id={messages[-1]['id']}").json()
    assert [m["id"] for m in only] == [messages[-1]["id"]]
    assert api.get(f"/v2/orders/{oid}/messages?is_flagged=true").status_code == 204


def test_consignments_and_fees_endpoints(api: Api) -> None:
    consignments = api.get("/v2/orders/1/consignments").json()
    assert set(consignments) == {"pickups", "shipping", "downloads", "email"}
    order = first(api, "include=fees", lambda o: o["fees"])
    fees = api.get(f"/v2/orders/{order['id']}/fees").json()
    assert fees[0]["type"] == "custom_fee" and fees[0]["cost_inc_tax"].count(".") == 1
    assert api.get("/v2/orders/1/fees").status_code in (200, 204)
    assert api.get("/v2/orders/99999999/products").status_code == 404
