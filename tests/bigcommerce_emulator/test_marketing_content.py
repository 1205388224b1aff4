"""Promotions v3, coupons v2, content pages, checkout/customer settings and consent."""

from __future__ import annotations

from tests.bigcommerce_emulator.conftest import MAX_PAGES, Api


def test_promotions_list_filters_and_statuses(api: Api) -> None:
    body = api.get("/v3/promotions?limit=250").json()
    statuses = {p["status"] for p in body["data"]}
    assert statuses == {"ENABLED", "DISABLED", "INVALID"}
    coupons = api.get("/v3/promotions?redemption_type=coupon").json()["data"]
    assert coupons and all(p["redemption_type"] == "COUPON" for p in coupons)
    disabled = api.get("/v3/promotions?status=DISABLED").json()["data"]
    assert disabled and all(p["status"] == "DISABLED" for p in disabled)
    by_code = api.get("/v3/promotions?code=INFL-0003").json()["data"]
    assert [p["name"] for p in by_code] == ["Influencer codes"]
    assert api.get("/v3/promotions?limit=251").json()["errors"][0]["status"] == 413


def test_promotion_crud_and_read_only_fields(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        rule = {"action": {"cart_value": {"discount": {"percentage_amount": "15"}}}}
        created = api.post(
            "/v3/promotions",
            json={
                "name": "Autumn",
                "redemption_type": "AUTOMATIC",
                "rules": [rule],
                "start_date": "2026-09-01T00:00:00+00:00",
                "current_uses": 500,
            },
        )
        assert created.status_code == 201
        promo = created.json()["data"]
        assert promo["current_uses"] == 0 and promo["status"] == "ENABLED"
        pid = promo["id"]
        assert api.put(f"/v3/promotions/{pid}", json={"status": "INVALID"}).status_code == 422
        ended = api.put(f"/v3/promotions/{pid}", json={"end_date": "2026-08-01T00:00:00Z"})
        assert ended.status_code == 422 and "errors" in ended.json()
        disabled = api.put(f"/v3/promotions/{pid}", json={"status": "DISABLED"})
        assert disabled.json()["data"]["status"] == "DISABLED"
        assert api.post("/v3/promotions", json={"name": "x"}).status_code == 422
        assert api.delete(f"/v3/promotions/{pid}").status_code == 204
        assert api.get(f"/v3/promotions/{pid}").status_code == 404


def test_codes_cursor_pagination(api: Api) -> None:
    promo = api.get("/v3/promotions?name=Influencer codes").json()["data"][0]
    seen, url = [], f"/v3/promotions/{promo['id']}/codes?limit=50"
    for _ in range(MAX_PAGES):
        if not url:
            break
        body = api.get(url).json()
        seen.extend(c["code"] for c in body["data"])
        nxt = body["meta"]["cursor_pagination"]["links"].get("next")
        url = f"/v3/promotions/{promo['id']}/codes{nxt}" if nxt else ""
    assert len(seen) == len(set(seen)) == 120
    back = body["meta"]["cursor_pagination"]["links"]["previous"]
    previous = api.get(f"/v3/promotions/{promo['id']}/codes{back}").json()["data"]
    assert [c["code"] for c in previous] == seen[50:100]


def test_code_create_validation(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        promo = api.get("/v3/promotions?redemption_type=coupon").json()["data"][0]
        url = f"/v3/promotions/{promo['id']}/codes"
        assert api.post(url, json={"code": "NEW-CODE_1"}).status_code == 201
        assert api.post(url, json={"code": "new-code_1"}).status_code == 409
        assert api.post(url, json={"code": "bad!code"}).status_code == 422


def test_v2_coupons(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        coupons = api.get("/v2/coupons").json()
        assert any(c["type"] == "promotion" for c in coupons)
        assert all(c["amount"].endswith("00") and "+0000" in c["date_created"] for c in coupons)
        assert api.get("/v2/coupons/count").json()["count"] == len(coupons)
        assert api.get("/v2/coupons?min_id=9999").status_code == 204
        new = api.post(
            "/v2/coupons",
            json={"name": "Ten", "code": "TEN", "type": "per_total_discount", "amount": 10},
        )
        assert new.status_code == 201 and new.json()["amount"] == "10.0000"
        assert (
            api.post(
                "/v2/coupons", json={"name": "Dup", "code": "TEN", "type": "free_shipping"}
            ).status_code
            == 409
        )
        cid = new.json()["id"]
        assert api.put(f"/v2/coupons/{cid}", json={"enabled": False}).json()["enabled"] is False
        assert api.delete(f"/v2/coupons/{cid}").status_code == 204


def test_pages_body_only_on_request_and_name_like(api: Api) -> None:
    pages = api.get("/v3/content/pages").json()["data"]
    names = {p["name"] for p in pages}
    assert {"Terms and Conditions", "Privacy Notice", "Returns Policy", "Shipping Policy"} <= names
    assert all("body" not in p for p in pages)
    with_body = api.get("/v3/content/pages?include=body&name:like=terms&channel_id=1").json()[
        "data"
    ]
    assert [p["name"] for p in with_body] == ["Terms and Conditions"]
    assert "Version" in with_body[0]["body"]
    by_body = api.get("/v3/content/pages?name:like=cookie&channel_id=1").json()["data"]
    assert [p["name"] for p in by_body] == ["Privacy Notice"]


def test_page_crud_and_problem_json_errors(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        created = api.post(
            "/v3/content/pages",
            json={"name": "Recall notice", "type": "page", "body": "<p>Batch 7</p>"},
        )
        assert created.status_code == 201
        pid = created.json()["data"]["id"]
        dup = api.post("/v3/content/pages", json={"name": "Recall notice", "type": "page"})
        assert dup.status_code == 422
        assert dup.headers["Content-Type"].startswith("application/problem+json")
        assert isinstance(dup.json()["errors"], list)
        raw = api.post("/v3/content/pages", json={"name": "Raw", "type": "raw"})
        assert raw.status_code == 422
        edited = api.put(f"/v3/content/pages/{pid}", json={"body": "<p>Batch 8</p>"})
        assert "body" not in edited.json()["data"]  # only with include=body, as GET
        edited = api.put(f"/v3/content/pages/{pid}?include=body", json={"body": "<p>Batch 8</p>"})
        assert edited.json()["data"]["body"] == "<p>Batch 8</p>"
        many = api.post(
            "/v3/content/pages", json=[{"name": "A", "type": "page"}, {"name": "B", "type": "page"}]
        )
        ids = [p["id"] for p in many.json()["data"]]
        assert api.delete(f"/v3/content/pages?id:in={ids[0]},{ids[1]}").status_code == 204
        assert api.delete(f"/v3/content/pages/{pid}").status_code == 204
        assert api.get(f"/v3/content/pages/{pid}").status_code == 404


def test_page_deletion_and_query_rules_follow_the_spec(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        unsupported = api.get("/v3/content/pages?sort=name")
        assert unsupported.status_code == 400 and "sort" in unsupported.json()["detail"]
        missing_ids = api.delete("/v3/content/pages")
        assert missing_ids.status_code == 422
        assert missing_ids.json()["detail"] == "missing the required field: id"
        parent = api.post("/v3/content/pages", json={"name": "Legal", "type": "page"}).json()
        pid = parent["data"]["id"]
        child = api.post(
            "/v3/content/pages", json={"name": "Legal A", "type": "page", "parent_id": pid}
        ).json()["data"]
        partly = api.delete(f"/v3/content/pages?id:in={pid},999999")
        assert partly.status_code == 404
        assert partly.json()["title"] == "A Page was not found with an ID of 999999"
        assert api.get(f"/v3/content/pages/{pid}").status_code == 404
        orphan = api.get(f"/v3/content/pages/{child['id']}").json()["data"]
        assert (orphan["parent_id"], orphan["is_visible"]) == (0, False)
        top = api.post("/v3/content/pages", json={"name": "Top", "type": "page"}).json()["data"]
        api.post("/v3/content/pages", json={"name": "Sub", "type": "page", "parent_id": top["id"]})
        gone = api.delete(f"/v3/content/pages?id:in={top['id']}&delete_children=true")
        assert gone.status_code == 204
        assert api.get("/v3/content/pages?name=Sub").json()["data"] == []


def test_checkout_terms_settings_per_channel(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        data = api.get("/v3/checkouts/settings/channels/1").json()["data"]
        assert data["is_order_terms_and_conditions_enabled"] is True
        assert {
            "order_terms_and_conditions_type",
            "order_terms_and_conditions_link",
            "order_terms_and_conditions_textarea",
        } <= set(data)
        updated = api.put(
            "/v3/checkouts/settings/channels/2",
            json={"order_terms_and_conditions_textarea": "AGB v2"},
        ).json()["data"]
        assert updated["order_terms_and_conditions_textarea"] == "AGB v2"
        bad = api.put(
            "/v3/checkouts/settings/channels/1", json={"order_terms_and_conditions_type": "pdf"}
        )
        assert bad.status_code == 422
        assert api.get("/v3/checkouts/settings/channels/77").status_code == 404


def test_customer_privacy_settings_and_consent(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        privacy = api.get("/v3/customers/settings").json()["data"]["privacy_settings"]
        assert privacy["ask_shopper_for_tracking_consent"] is True
        changed = api.put(
            "/v3/customers/settings/channels/1",
            json={"privacy_settings": {"policy_url": "https://example.com/p2"}},
        ).json()["data"]
        assert changed["privacy_settings"] == {
            "ask_shopper_for_tracking_consent": True,
            "policy_url": "https://example.com/p2",
        }
        put = api.put(
            "/v3/customers/1/consent",
            json={"allow": ["essential", "analytics"], "deny": ["targeting"]},
        )
        assert put.status_code == 200
        got = api.get("/v3/customers/1/consent").json()
        assert got["allow"] == ["essential", "analytics"] and got["deny"] == ["targeting"]
        assert got["updated_at"].endswith("+00:00")
        bad = api.put("/v3/customers/1/consent", json={"allow": ["marketing"]})
        assert bad.status_code == 422 and "allow" in bad.json()["errors"]
        assert api.get("/v3/customers/999999/consent").status_code == 404


def test_store_information_reports_consent_tracking(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        assert api.get("/v2/store").json()["features"]["shopper_consent_tracking_enabled"] is True
        api.put(
            "/v3/customers/settings",
            json={"privacy_settings": {"ask_shopper_for_tracking_consent": False}},
        )
        flag = api.get("/v2/store").json()["features"]["shopper_consent_tracking_enabled"]
        assert flag is False


STORE_INFORMATION_FIELDS = {
    # every property of StoreInformation in bigcommerce/docs reference/store_information.v2.yml
    "id", "account_uuid", "domain", "secure_url", "control_panel_base_url", "status", "name",
    "first_name", "last_name", "address", "country", "country_code", "infrastructure_region",
    "phone", "admin_email", "order_email", "favicon_url", "timezone", "language", "currency",
    "currency_symbol", "decimal_separator", "thousands_separator", "decimal_places",
    "currency_symbol_location", "weight_units", "dimension_units", "dimension_decimal_places",
    "dimension_decimal_token", "dimension_thousands_token", "plan_name", "plan_level",
    "plan_is_trial", "industry", "logo", "is_price_entered_with_tax", "store_id",
    "default_channel_id", "default_site_id", "active_comparison_modules", "features",
}  # fmt: skip


def test_store_information_serves_every_spec_field_and_a_seller(make_emulator) -> None:
    from pipeline.flows.commerce.sellers import from_store_information

    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        store = api.get("/v2/store").json()
    assert set(store) == STORE_INFORMATION_FIELDS
    seller = from_store_information(store)
    assert seller["legal_name"] == "Brewline Supply Co."
    assert seller["address_lines"][-1] == "United States"
    assert seller["country_iso2"] == "US" and seller["phone"] and seller["email"]
