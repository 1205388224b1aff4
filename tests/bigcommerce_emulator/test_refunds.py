"""Orders v3: transactions, refund quotes and refunds, and how a refund changes the order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_emulator.conftest import Api


def paid_order(api: Api) -> dict:
    for order in api.get("/v2/orders?status_id=11&limit=250").json():
        if order["payment_status"] == "captured" and int(order["items_total"]) > 1:
            return order
    raise AssertionError("no paid multi-item order")


def test_transactions_and_204_when_none(api: Api) -> None:
    order = paid_order(api)
    body = api.get(f"/v3/orders/{order['id']}/transactions").json()
    assert body["data"][0]["event"] == "purchase"
    assert body["data"][0]["order_id"] == str(order["id"])
    assert isinstance(body["data"][0]["amount"], float | int)
    assert "pagination" in body["meta"]
    unpaid = api.get("/v2/orders?status_id=0&limit=1").json()[0]
    assert api.get(f"/v3/orders/{unpaid['id']}/transactions").status_code == 204
    assert api.get("/v3/orders/99999999/transactions").status_code == 404


def test_quote_then_partial_then_full_refund(make_emulator) -> None:
    emu: BigCommerceEmulator = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        order = paid_order(api)
        oid = order["id"]
        item = api.get(f"/v2/orders/{oid}/products").json()[0]
        line = {"item_type": "PRODUCT", "item_id": item["id"], "quantity": 1}
        quote = api.post(f"/v3/orders/{oid}/payment_actions/refund_quotes", json={"items": [line]})
        assert quote.status_code == 200
        amount = quote.json()["data"]["total_refund_amount"]
        assert amount == float(item["price_inc_tax"])
        assert quote.json()["data"]["refund_methods"][0][0]["amount"] == amount
        bad_sum = api.post(
            f"/v3/orders/{oid}/payment_actions/refunds",
            json={"items": [line], "payments": [{"provider_id": "x", "amount": amount + 1}]},
        )
        assert bad_sum.status_code == 422 and bad_sum.json()["data"][0]["status"] == 422
        created = api.post(
            f"/v3/orders/{oid}/payment_actions/refunds",
            json={"items": [line], "payments": [{"provider_id": "stripe", "amount": amount}]},
        )
        assert created.status_code == 201
        refund = created.json()["data"]
        assert refund["order_id"] == oid and refund["total_amount"] == amount
        after = api.get(f"/v2/orders/{oid}").json()
        assert after["status_id"] == 14 and after["payment_status"] == "partially refunded"
        assert float(after["refunded_amount"]) == amount
        left = round(float(after["total_inc_tax"]) - amount, 2)
        rest = {"item_type": "ORDER", "item_id": oid, "amount": left}
        too_much = {"item_type": "ORDER", "item_id": oid, "amount": left + 1}
        over = api.post(
            f"/v3/orders/{oid}/payment_actions/refunds",
            json={"items": [too_much], "payments": [{"provider_id": "stripe", "amount": left + 1}]},
        )
        assert over.status_code == 422
        final = api.post(
            f"/v3/orders/{oid}/payment_actions/refunds",
            json={"items": [rest], "payments": [{"provider_id": "stripe", "amount": left}]},
        )
        assert final.status_code == 201
        done = api.get(f"/v2/orders/{oid}").json()
        assert done["status_id"] == 4 and done["payment_status"] == "refunded"
        assert done["refunded_amount"] == done["total_inc_tax"]
        listed = api.get(f"/v3/orders/{oid}/payment_actions/refunds").json()["data"]
        assert [r["id"] for r in listed] == [refund["id"], final.json()["data"]["id"]]
        one = api.get(f"/v3/orders/payment_actions/refunds/{refund['id']}").json()["data"]
        assert one == refund


def test_refund_validation(api: Api) -> None:
    order = paid_order(api)
    oid = order["id"]
    url = f"/v3/orders/{oid}/payment_actions/refund_quotes"
    assert api.post(url, json={"items": []}).status_code == 422
    bad_item = {"item_type": "PRODUCT", "item_id": 99999999, "quantity": 1}
    assert api.post(url, json={"items": [bad_item]}).status_code == 422
    item = api.get(f"/v2/orders/{oid}/products").json()[0]
    too_many = {"item_type": "PRODUCT", "item_id": item["id"], "quantity": item["quantity"] + 1}
    assert api.post(url, json={"items": [too_many]}).status_code == 422
    assert api.post(url, json={"items": [{"item_type": "BOGUS", "item_id": 1}]}).status_code == 422
    unpaid = api.get("/v2/orders?status_id=7&limit=1").json()[0]
    order_line = {"item_type": "ORDER", "item_id": unpaid["id"], "amount": 1}
    assert (
        api.post(
            f"/v3/orders/{unpaid['id']}/payment_actions/refund_quotes", json={"items": [order_line]}
        ).status_code
        == 422
    )


def test_store_wide_refund_list_filters_and_paging(api: Api) -> None:
    everything = api.get("/v3/orders/payment_actions/refunds?limit=250").json()
    rows = everything["data"]
    assert rows and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert everything["meta"]["pagination"]["total"] == len(rows)
    some = sorted({r["order_id"] for r in rows})[:2]
    subset = api.get(f"/v3/orders/payment_actions/refunds?order_id:in={some[0]},{some[1]}").json()[
        "data"
    ]
    assert subset and {r["order_id"] for r in subset} == set(some)
    pivot = rows[len(rows) // 2]["created"]
    later = api.get(
        "/v3/orders/payment_actions/refunds", params={"created:min": pivot, "limit": 250}
    ).json()
    assert later["data"] and all(r["created"] >= pivot for r in later["data"])
    paged = api.get("/v3/orders/payment_actions/refunds?limit=2&page=2").json()
    assert paged["meta"]["pagination"]["current_page"] == 2
    assert paged["meta"]["pagination"]["links"]["previous"] == "?page=1&limit=2"
    partial = next(r for r in rows if r["items"])
    assert {"item_type", "item_id"} <= set(partial["items"][0])


def test_concurrent_refunds_on_one_order_are_applied_one_after_the_other(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        order = paid_order(api)
        oid = order["id"]
        share = round(float(order["total_inc_tax"]) * 0.6, 2)
        body = {
            "items": [{"item_type": "ORDER", "item_id": oid, "amount": share}],
            "payments": [{"provider_id": "stripe", "amount": share}],
        }

        def refund(_: int) -> int:
            with Api(emu.base_url, emu.access_token) as session:
                return session.post(
                    f"/v3/orders/{oid}/payment_actions/refunds", json=body
                ).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = sorted(pool.map(refund, range(4)))
        assert codes == [201, 422, 422, 422]
        assert float(api.get(f"/v2/orders/{oid}").json()["refunded_amount"]) == share
