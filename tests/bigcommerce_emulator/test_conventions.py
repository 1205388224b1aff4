"""Cross-cutting conventions: auth, scopes, content negotiation and the error dialects."""

from __future__ import annotations

import requests

from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_emulator.conftest import Api

STATUS_DOC = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


def test_missing_token_is_401_in_the_route_dialect(emulator: BigCommerceEmulator) -> None:
    v2 = requests.get(f"{emulator.base_url}/v2/orders", timeout=10)
    v3 = requests.get(f"{emulator.base_url}/v3/catalog/products", timeout=10)
    assert v2.status_code == v3.status_code == 401
    assert v2.json() == [{"status": 401, "message": v2.json()[0]["message"]}]
    assert v3.json()["status"] == 401 and v3.json()["type"] == STATUS_DOC


def test_unknown_token_is_401_and_wrong_store_hash_is_403(emulator: BigCommerceEmulator) -> None:
    bad = requests.get(
        f"{emulator.base_url}/v2/orders", headers={"X-Auth-Token": "nope"}, timeout=10
    )
    assert bad.status_code == 401
    other = emulator.base_url.replace(emulator.store_hash, "zzzzzzzzzz")
    wrong = requests.get(
        f"{other}/v2/orders", headers={"X-Auth-Token": emulator.access_token}, timeout=10
    )
    assert wrong.status_code == 403


def test_x_auth_client_is_accepted_and_ignored(api: Api) -> None:
    response = api.get("/v2/orders?limit=1", headers={"X-Auth-Client": "legacy-client-id"})
    assert response.status_code == 200


def test_read_only_scope_reads_but_cannot_write(emulator: BigCommerceEmulator) -> None:
    account = emulator.add_token(scopes=["store_v2_orders_read_only"])
    with Api(emulator.base_url, account["access_token"]) as api:
        assert api.get("/v2/orders?limit=1").status_code == 200
        denied = api.put("/v2/orders/1", json={"staff_notes": "x"})
        assert denied.status_code == 403
        assert denied.json()[0]["status"] == 403
        assert api.get("/v3/catalog/products").status_code == 403


def test_refunds_accept_either_orders_or_transactions_scope(emulator: BigCommerceEmulator) -> None:
    orders_only = emulator.add_token(scopes=["store_v2_orders_read_only"])
    with Api(emulator.base_url, orders_only["access_token"]) as api:
        assert api.get("/v3/orders/payment_actions/refunds").status_code == 200
        assert api.get("/v3/orders/1/transactions").status_code == 403


def test_unsupported_accept_is_406_and_json_variants_are_fine(api: Api) -> None:
    assert api.get("/v2/orders/1", headers={"Accept": "text/html"}).status_code == 406
    for accept in (
        "application/json",
        "*/*",
        "application/json; charset=utf-8",
        "text/html, application/*;q=0.8",
    ):
        assert api.get("/v2/orders/1", headers={"Accept": accept}).status_code == 200


def test_body_without_json_content_type_is_415(api: Api) -> None:
    response = api.put(
        "/v2/orders/1",
        data="staff_notes=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json()[0]["status"] == 415


def test_unknown_route_is_404_and_wrong_method_405(api: Api) -> None:
    missing = api.get("/v2/nothing-here")
    assert missing.status_code == 404
    assert isinstance(missing.json(), list)
    assert api.patch("/v2/orders").status_code == 405


def test_error_dialects_per_api(api: Api) -> None:
    v2 = api.get("/v2/orders/99999999")
    assert v2.status_code == 404
    assert v2.json() == [{"status": 404, "message": "The requested resource was not found."}]

    v3 = api.get("/v3/catalog/products/99999999")
    assert v3.status_code == 404
    assert set(v3.json()) >= {"status", "title", "type"}

    page = api.get("/v3/content/pages/99999999")
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("application/problem+json")
    assert page.json()["title"] == "A Page was not found with an ID of 99999999"

    promo = api.get("/v3/promotions/99999999")
    assert promo.status_code == 404
    assert promo.json() == {
        "errors": [{"status": 404, "title": promo.json()["errors"][0]["title"]}]
    }

    refund = api.get("/v3/orders/payment_actions/refunds/99999999")
    assert refund.status_code == 404
    assert refund.json()["data"][0]["status"] == 404


def test_malformed_json_body_is_400(api: Api) -> None:
    response = api.put(
        "/v2/orders/1", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
