"""Store Information v2 (`/v2/time`) and the Customers v3 list, with the scopes their specs
declare."""

from __future__ import annotations

import time

from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_emulator.conftest import MAX_PAGES, Api


def test_time_is_unix_seconds_and_needs_the_information_scope(emulator) -> None:
    with Api(emulator.base_url, emulator.access_token) as api:
        before = int(time.time())
        answer = api.get("/v2/time")
        assert answer.status_code == 200
        assert set(answer.json()) == {"time"}
        assert before <= answer.json()["time"] <= int(time.time())
        assert "X-Rate-Limit-Requests-Quota" in answer.headers
    read_only = emulator.add_token(scopes=["store_v2_information_read_only"])["access_token"]
    with Api(emulator.base_url, read_only) as api:
        assert api.get("/v2/time").status_code == 200
    orders_only = emulator.add_token(scopes=["store_v2_orders"])["access_token"]
    with Api(emulator.base_url, orders_only) as api:
        denied = api.get("/v2/time")
        assert denied.status_code == 403 and denied.json()[0]["status"] == 403
    with Api(emulator.base_url, "not-a-token") as api:
        assert api.get("/v2/time").status_code == 401


def test_customers_page_in_the_v3_envelope(emulator: BigCommerceEmulator, api: Api) -> None:
    total = len(emulator.store.customers)
    seen: list[int] = []
    url = "/v3/customers?limit=40"
    for _ in range(MAX_PAGES):
        body = api.get(url).json()
        seen.extend(c["id"] for c in body["data"])
        pagination = body["meta"]["pagination"]
        assert pagination["total"] == total and pagination["per_page"] == 40
        nxt = pagination["links"].get("next")
        if not nxt:
            break
        url = f"/v3/customers{nxt}"
    assert seen == sorted(emulator.store.customers)
    customer = api.get("/v3/customers?limit=1").json()["data"][0]
    assert {
        "id",
        "email",
        "first_name",
        "last_name",
        "company",
        "phone",
        "registration_ip_address",
        "notes",
        "tax_exempt_category",
        "customer_group_id",
        "date_created",
        "date_modified",
        "address_count",
        "attribute_count",
        "authentication",
        "accepts_product_review_abandoned_cart_emails",
        "origin_channel_id",
        "channel_ids",
    } == set(customer)
    assert customer["address_count"] == 2 and customer["date_created"].endswith("+00:00")
    past_end = api.get("/v3/customers?page=999").json()
    assert past_end["data"] == [] and past_end["meta"]["pagination"]["total"] == total
    assert api.get("/v3/customers?limit=251").status_code == 413


def test_customer_filters_sort_and_include(emulator: BigCommerceEmulator, api: Api) -> None:
    picked = sorted(emulator.store.customers)[3:6]
    by_id = api.get("/v3/customers", params={"id:in": ",".join(map(str, picked))}).json()
    assert [c["id"] for c in by_id["data"]] == picked
    email = emulator.store.customers[picked[0]]["email"]
    by_email = api.get("/v3/customers", params={"email:in": email}).json()["data"]
    assert [c["id"] for c in by_email] == [picked[0]]
    everyone = api.get("/v3/customers?limit=250").json()["data"]
    middle = sorted(c["date_created"] for c in everyone)[len(everyone) // 2]
    created = api.get("/v3/customers", params={"date_created:min": middle, "limit": 250}).json()[
        "data"
    ]
    assert created and all(c["date_created"] >= middle for c in created)
    older = api.get("/v3/customers", params={"date_created:max": middle, "limit": 250}).json()
    on_the_bound = sum(c["date_created"] == middle for c in everyone)
    assert len(created) + len(older["data"]) == len(everyone) + on_the_bound  # inclusive
    newest = api.get("/v3/customers?sort=date_created:desc&limit=250").json()["data"]
    assert [c["date_created"] for c in newest] == sorted(
        (c["date_created"] for c in everyone), reverse=True
    )
    with_addresses = api.get(f"/v3/customers?id:in={picked[0]}&include=addresses").json()
    address = with_addresses["data"][0]["addresses"][0]
    assert address["customer_id"] == picked[0] and len(address["country_code"]) == 2
    assert {"address1", "city", "postal_code", "state_or_province"} <= set(address)
    bad = api.get("/v3/customers?id:in=abc")
    assert bad.status_code == 422 and bad.json()["status"] == 422


def test_consent_change_moves_date_modified(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        newest = max(c["date_modified"] for c in emu.store.customers.values())
        since = api.get("/v3/customers", params={"date_modified:min": newest + 1}).json()
        assert since["data"] == []
        api.put("/v3/customers/2/consent", json={"allow": ["essential"], "deny": []})
        changed = api.get("/v3/customers", params={"date_modified:min": newest + 1}).json()
        assert [c["id"] for c in changed["data"]] == [2]
        window = {"date_modified:min": newest + 1, "date_modified:max": newest + 2}
        assert api.get("/v3/customers", params=window).json()["data"] == []


def test_customers_need_the_customers_scope(emulator: BigCommerceEmulator) -> None:
    read_only = emulator.add_token(scopes=["store_v2_customers_read_only"])["access_token"]
    with Api(emulator.base_url, read_only) as api:
        assert api.get("/v3/customers").status_code == 200
    orders_only = emulator.add_token(scopes=["store_v2_orders"])["access_token"]
    with Api(emulator.base_url, orders_only) as api:
        denied = api.get("/v3/customers")
        assert denied.status_code == 403 and denied.json()["title"]
