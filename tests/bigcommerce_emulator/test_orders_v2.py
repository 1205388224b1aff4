"""Orders v2 contract: bare arrays, 204 pages, string money, RFC 2822 dates, every filter,
count, one order, archive, and the order statuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_emulator.conftest import MAX_PAGES, SEED_ORDERS, Api

MONEY = re.compile(r"^-?\d+\.\d{4}$")
RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} "
    r"\d{2}:\d{2}:\d{2} \+0000$"
)


def all_orders(api: Api, query: str = "") -> list[dict]:
    """Page with limit=250 until 204, as the official client's `iterall` does."""
    rows: list[dict] = []
    for page in range(1, MAX_PAGES):
        response = api.get(f"/v2/orders?limit=250&page={page}{query}")
        if response.status_code == 204:
            assert response.content == b""
            return rows
        assert response.status_code == 200
        rows.extend(response.json())
    raise AssertionError("paging never ended with 204")


def test_list_is_a_bare_array_with_default_page_size_50(api: Api) -> None:
    response = api.get("/v2/orders")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 50
    assert [o["id"] for o in body] == sorted(o["id"] for o in body)


def test_paging_to_the_end_yields_every_order_then_204(api: Api) -> None:
    rows = all_orders(api)
    ids = [o["id"] for o in rows]
    assert len(ids) == len(set(ids)) >= SEED_ORDERS - 5
    assert api.get("/v2/orders?page=999").status_code == 204


def test_limit_above_250_is_413(api: Api) -> None:
    response = api.get("/v2/orders?limit=251")
    assert response.status_code == 413
    assert response.json()[0]["status"] == 413


def test_money_is_4_decimal_strings_and_dates_rfc2822(api: Api) -> None:
    orders = api.get("/v2/orders?limit=100").json()
    for order in orders:
        for key in (
            "subtotal_ex_tax",
            "total_inc_tax",
            "total_tax",
            "refunded_amount",
            "shipping_cost_inc_tax",
            "discount_amount",
            "coupon_discount",
        ):
            assert MONEY.match(order[key]), (key, order[key])
        assert RFC2822.match(order["date_created"]) and RFC2822.match(order["date_modified"])
        assert order["date_shipped"] == "" or RFC2822.match(order["date_shipped"])
        total = float(order["total_ex_tax"]) + float(order["total_tax"])
        assert abs(total - float(order["total_inc_tax"])) < 0.005


def test_subresource_links(api: Api, emulator: BigCommerceEmulator) -> None:
    order = api.get("/v2/orders/5").json()
    for name in ("products", "shipping_addresses", "coupons"):
        assert order[name] == {
            "url": f"{emulator.base_url}/v2/orders/5/{name}",
            "resource": f"/orders/5/{name}",
        }


def test_id_total_customer_email_status_payment_filters(api: Api) -> None:
    window = api.get("/v2/orders?min_id=10&max_id=19").json()
    assert [o["id"] for o in window] == list(range(10, 20))
    sample = api.get("/v2/orders/42").json()
    by_customer = all_orders(api, f"&customer_id={sample['customer_id']}")
    assert by_customer and all(o["customer_id"] == sample["customer_id"] for o in by_customer)
    by_email = all_orders(api, f"&email={sample['billing_address']['email']}")
    assert 42 in [o["id"] for o in by_email]
    assert all(o["status_id"] == 10 for o in all_orders(api, "&status_id=10"))
    manual = all_orders(api, "&payment_method=PayPal")
    assert manual and all(o["payment_method"] == "PayPal" for o in manual)
    cheap = all_orders(api, "&max_total=50")
    assert cheap and all(float(o["total_inc_tax"]) <= 50 for o in cheap)
    dear = all_orders(api, "&min_total=50")
    assert len(cheap) + len(dear) >= len(all_orders(api))


def test_date_filters_accept_rfc2822_and_iso8601_alike(api: Api) -> None:
    pivot = api.get("/v2/orders/200").json()["date_created"]
    iso = parsedate_to_datetime(pivot).isoformat()
    by_rfc = all_orders(api, f"&min_date_created={pivot}")
    by_iso = all_orders(api, f"&min_date_created={iso}")
    assert by_rfc == by_iso and by_rfc[0]["id"] == 200
    before = all_orders(api, f"&max_date_created={iso}")
    assert before[-1]["id"] == 200


def test_modified_window_sorted_ascending_like_a_poller(api: Api) -> None:
    lo = datetime(2025, 3, 1, tzinfo=UTC)
    hi = datetime(2025, 6, 1, tzinfo=UTC)
    rows = all_orders(
        api,
        f"&min_date_modified={lo.isoformat()}&max_date_modified="
        f"{hi.isoformat()}&sort=date_modified:asc",
    )
    stamps = [parsedate_to_datetime(o["date_modified"]) for o in rows]
    assert rows and stamps == sorted(stamps) and lo <= stamps[0] and stamps[-1] <= hi


def test_unparseable_date_filter_is_ignored(api: Api) -> None:
    assert len(all_orders(api, "&min_date_modified=yesterday-ish")) == len(all_orders(api))


def test_sort_descending(api: Api) -> None:
    ids = [o["id"] for o in api.get("/v2/orders?sort=id:desc&limit=5").json()]
    assert ids == sorted(ids, reverse=True)


def test_count_with_statuses(api: Api) -> None:
    body = api.get("/v2/orders/count").json()
    assert body["count"] == sum(s["count"] for s in body["statuses"])
    assert [s["id"] for s in body["statuses"]] == list(range(15))
    assert api.get("/v2/orders/count?status_id=10").json()["count"] == next(
        s["count"] for s in body["statuses"] if s["id"] == 10
    )


def test_include_consignments_line_items_and_fees(api: Api) -> None:
    order = api.get("/v2/orders?limit=1&include=consignments.line_items,fees").json()[0]
    assert isinstance(order["consignments"], list)
    shipping = order["consignments"][0]["shipping"]
    assert shipping and isinstance(shipping[0]["line_items"], list)
    assert isinstance(order["fees"], list)
    plain = api.get("/v2/orders?limit=1").json()[0]
    assert "consignments" not in plain and "fees" not in plain
    as_object = api.get("/v2/orders?limit=1&include=consignments&consignment_structure=object")
    assert isinstance(as_object.json()[0]["consignments"], dict)


def test_statuses_0_to_14(api: Api) -> None:
    statuses = api.get("/v2/order_statuses").json()
    assert [s["id"] for s in statuses] == list(range(15))
    assert api.get("/v2/order_statuses/14").json()["name"] == "Partially Refunded"


def test_put_rejects_read_only_fields_and_changes_status(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        bad = api.put("/v2/orders/1", json={"total_inc_tax": "1.0000"})
        assert bad.status_code == 400
        assert "cannot be written to" in bad.json()[0]["message"]
        before = api.get("/v2/orders/1").json()
        ok = api.put("/v2/orders/1", json={"status_id": 5, "staff_notes": "called customer"})
        assert ok.status_code == 200
        after = ok.json()
        assert after["status_id"] == 5 and after["status"] == "Cancelled"
        assert after["staff_notes"] == "called customer"
        assert parsedate_to_datetime(after["date_modified"]) > parsedate_to_datetime(
            before["date_modified"]
        )
        assert api.put("/v2/orders/1", json={"status_id": 99}).status_code == 400


def test_delete_archives(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        assert api.delete("/v2/orders/3").status_code == 204
        assert api.get("/v2/orders/3").json()["is_deleted"] is True
        assert 3 not in [o["id"] for o in api.get("/v2/orders?limit=250").json()]
        assert [o["id"] for o in api.get("/v2/orders?is_deleted=true").json()] == [3]


def test_create_order_answers_200(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        billing = {
            "first_name": "Ада",
            "last_name": "Лавлейс",
            "street_1": "1 Rd",
            "city": "London",
            "zip": "N1",
            "country": "United Kingdom",
            "country_iso2": "GB",
            "email": "ada@example.com",
        }
        created = api.post(
            "/v2/orders",
            json={"billing_address": billing, "products": [{"product_id": 4, "quantity": 2}]},
        )
        assert created.status_code == 200
        order = created.json()
        assert order["status_id"] == 1 and order["customer_id"] == 0
        assert order["currency_code"] == "GBP" and order["items_total"] == 2
        assert api.post("/v2/orders", json={"products": []}).status_code == 400


def test_eu_business_orders_carry_a_vat_number_form_field(api) -> None:
    """orders.v2.oas2.yml billingAddress_Resp: `form_fields: [{name, value}]`; a few EU
    orders billed to a company give their VAT number there, every other order `[]`."""
    orders = all_orders(api)
    with_vat = [o for o in orders if o["billing_address"]["form_fields"]]
    assert with_vat and len(with_vat) < len(orders) // 5
    for order in with_vat:
        billing = order["billing_address"]
        assert billing["country_iso2"] in {"DE", "FR", "NL"} and billing["company"]
        (field,) = billing["form_fields"]
        assert field["name"] == "VAT number"
        assert field["value"].startswith(billing["country_iso2"])
    assert all(o["billing_address"]["form_fields"] == [] for o in orders if o not in with_vat)
