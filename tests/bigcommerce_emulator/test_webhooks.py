"""Webhooks: per-token visibility, thin payloads, custom headers, Standard Webhooks
signatures, the retry schedule (time-compressed) and deactivation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from sandbox.bigcommerce import BigCommerceEmulator
from sandbox.bigcommerce.delivery import RETRY_SCHEDULE_S, scope_matches
from tests.bigcommerce_emulator.conftest import Api, Receiver
from tests.support import wait_for


def hook(api: Api, scope: str, destination: str, **extra) -> dict:
    response = api.post(
        "/v3/hooks", json={"scope": scope, "destination": destination, "is_active": True, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_scope_wildcards() -> None:
    assert scope_matches("store/order/*", "store/order/message/created")
    assert scope_matches("store/order/created", "store/order/created")
    assert not scope_matches("store/order/*", "store/shipment/created")


def test_hooks_are_visible_only_to_their_token(make_emulator) -> None:
    emu = make_emulator(quota=None)
    other = emu.add_token()
    with (
        Api(emu.base_url, emu.access_token) as mine,
        Api(emu.base_url, other["access_token"]) as theirs,
    ):
        created = hook(mine, "store/order/*", "https://example.com/a", headers={"k": "v"})
        assert created["client_id"] == emu.client_id and created["headers"] == {"k": "v"}
        assert [h["id"] for h in mine.get("/v3/hooks").json()["data"]] == [created["id"]]
        assert theirs.get("/v3/hooks").json()["data"] == []
        assert theirs.get(f"/v3/hooks/{created['id']}").status_code == 404
        assert theirs.delete(f"/v3/hooks/{created['id']}").status_code == 404
        dup = mine.post(
            "/v3/hooks", json={"scope": "store/order/*", "destination": "https://example.com/a"}
        )
        assert dup.status_code == 409
        missing = mine.post("/v3/hooks", json={"scope": "store/order/*"})
        assert missing.status_code == 422
        assert missing.json()["errors"] == {"destination": "error.path.missing."}
        off = mine.put(f"/v3/hooks/{created['id']}", json={"is_active": False}).json()["data"]
        assert off["is_active"] is False
        assert mine.get("/v3/hooks?is_active=true").json()["data"] == []
        deleted = mine.delete(f"/v3/hooks/{created['id']}")
        assert deleted.status_code == 200 and deleted.json()["data"]["id"] == created["id"]


def test_destinations_must_be_https_on_443_unless_plain_http_is_allowed(make_emulator) -> None:
    strict = make_emulator(quota=None)
    with Api(strict.base_url, strict.access_token) as api:
        for refused in (
            "http://example.com/hooks",
            "https://example.com:8443/hooks",
            "http://127.0.0.1:8080/hooks",
        ):
            answer = api.post("/v3/hooks", json={"scope": "store/order/*", "destination": refused})
            assert answer.status_code == 422, refused
            body = answer.json()
            assert body["title"] == "JSON data is missing or invalid"
            assert set(body["errors"]) == {"destination"}
        created = hook(api, "store/order/*", "https://example.com:443/hooks")
        moved = api.put(f"/v3/hooks/{created['id']}", json={"destination": "http://example.com/h"})
        assert moved.status_code == 422 and set(moved.json()["errors"]) == {"destination"}
        assert api.get("/v3/hooks").json()["data"][0]["destination"].startswith("https://")
    relaxed = make_emulator(quota=None, allow_plain_http_hooks=True)
    with Api(relaxed.base_url, relaxed.access_token) as api:
        assert hook(api, "store/order/*", "http://127.0.0.1:8080/hooks")["id"]
        bad = api.post("/v3/hooks", json={"scope": "store/order/*", "destination": "ftp://x/y"})
        assert bad.status_code == 422


def test_thin_payload_with_custom_headers(make_emulator, receiver: Receiver) -> None:
    emu: BigCommerceEmulator = make_emulator(quota=None, allow_plain_http_hooks=True)
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/order/statusUpdated", receiver.url, headers={"X-Secret": "s3cret"})
        api.put("/v2/orders/2", json={"status_id": 13})
    delivery = wait_for(lambda: receiver.deliveries, what="delivery")[0]
    payload = delivery["json"]
    assert payload["scope"] == "store/order/statusUpdated"
    assert payload["store_id"] == emu.store.store_id and isinstance(payload["store_id"], str)
    assert payload["producer"] == f"stores/{emu.store_hash}"
    assert payload["data"]["id"] == 2 and payload["data"]["type"] == "order"
    assert payload["data"]["status"]["new_status_id"] == 13
    assert len(payload["hash"]) == 40 and int(payload["hash"], 16) >= 0
    assert isinstance(payload["created_at"], int)
    assert delivery["headers"]["X-Secret"] == "s3cret"
    assert "webhook-signature" not in {k.lower() for k in delivery["headers"]}


def test_signed_delivery_verifies_with_standard_webhooks(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, client_secret="client-secret-xyz")
    whsec = "whsec_" + base64.b64encode(b"client-secret-xyz").decode()
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/product/updated", receiver.url)
        api.put("/v3/catalog/products/1", json={"price": 5})
    delivery = wait_for(lambda: receiver.deliveries, what="signed delivery")[0]
    headers = {k.lower(): v for k, v in delivery["headers"].items()}
    key = base64.b64decode(whsec.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + delivery["raw"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert json.loads(delivery["raw"])["data"] == {"type": "product", "id": 1}


def test_failures_retry_on_schedule_then_deactivate(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, webhook_time_scale=0.000001)
    receiver.status = 503
    with Api(emu.base_url, emu.access_token) as api:
        created = hook(api, "store/order/message/created", receiver.url)
        emu.post_message(1, "Hallo, wo bleibt mein Paket?")
        attempts = len(RETRY_SCHEDULE_S) + 1
        wait_for(
            lambda: len(receiver.deliveries) == attempts and emu.webhooks_pending() == 0,
            what="all retries",
        )
        hashes = {d["json"]["hash"] for d in receiver.deliveries}
        assert len(hashes) == 1
        assert [a["attempt"] for a in emu.webhook_attempts()] == list(range(attempts))
        assert api.get(f"/v3/hooks/{created['id']}").json()["data"]["is_active"] is False
        assert emu.webhook_notifications()[0]["hook_id"] == created["id"]
        emu.post_message(1, "still there?")
        api.put(f"/v3/hooks/{created['id']}", json={"is_active": True})
        receiver.status = 200
        message = emu.post_message(1, "reactivated")
        wait_for(lambda: len(receiver.deliveries) > attempts, what="delivery after reactivation")
        assert receiver.deliveries[-1]["json"]["data"]["message"] == {
            "order_message_id": message["id"]
        }
        assert len(receiver.deliveries) == attempts + 1


def test_recovering_receiver_gets_the_event_on_a_retry(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, webhook_time_scale=0.000001)
    receiver.status = 500
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/order/created", receiver.url)
    emu.place_order(customer_id=1, products=[{"product_id": 3, "quantity": 1}])
    wait_for(lambda: len(receiver.deliveries) >= 2, what="first retry")
    receiver.status = 200
    wait_for(lambda: emu.webhooks_pending() == 0, what="delivery to succeed")
    assert emu.webhook_attempts()[-1]["ok"] is True


def test_actions_fire_the_matching_events(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True)
    with Api(emu.base_url, emu.access_token) as api:
        for scope in (
            "store/order/*",
            "store/shipment/*",
            "store/cart/converted",
            "store/product/*",
            "store/sku/*",
            "store/customer/*",
        ):
            hook(api, scope, receiver.url)
        order = emu.place_order(customer_id=2, products=[{"product_id": 1, "quantity": 2}])
        wait_for(
            lambda: {"store/order/created", "store/cart/converted"} <= set(receiver.scopes()),
            what="checkout events",
        )
        emu.ship(order["id"])
        wait_for(lambda: "store/shipment/created" in receiver.scopes(), what="shipment")
        emu.refund(order["id"], amount=1.0)
        wait_for(lambda: "store/order/refund/created" in receiver.scopes(), what="refund")
        emu.change_price(1, 12.5)
        variant = api.get("/v3/catalog/products/1/variants").json()["data"][0]
        emu.change_price(1, 13.5, variant_id=variant["id"])
        api.put("/v3/customers/2/consent", json={"allow": ["essential"], "deny": []})
        api.delete(f"/v2/orders/{order['id']}")
        wait_for(
            lambda: (
                {
                    "store/product/updated",
                    "store/sku/updated",
                    "store/customer/updated",
                    "store/order/archived",
                }
                <= set(receiver.scopes())
            ),
            what="merchant events",
        )
    status_events = [
        d["json"]["data"]
        for d in receiver.deliveries
        if d["json"]["scope"] == "store/order/statusUpdated"
    ]
    assert {"previous_status_id": 11, "new_status_id": 2} in [e["status"] for e in status_events]
    assert {"previous_status_id": 2, "new_status_id": 14} in [e["status"] for e in status_events]
    refund_event = next(
        d["json"]["data"]
        for d in receiver.deliveries
        if d["json"]["scope"] == "store/order/refund/created"
    )
    assert refund_event["refund"]["refund_id"] > 0
    cart = next(
        d["json"]["data"]
        for d in receiver.deliveries
        if d["json"]["scope"] == "store/cart/converted"
    )
    assert cart["orderId"] == order["id"]
