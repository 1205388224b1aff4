"""End to end with the BigCommerce emulator as the sender: `register_hooks` creates the
hooks through `/v3/hooks`, store actions fire real signed deliveries with our secret
header, and every order event lands in `fetch` exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import redis

from pipeline.integrations.bigcommerce import BigCommerceClient
from pipeline.integrations.webhooks.config import signing_key
from pipeline.integrations.webhooks.register import register_hooks
from sandbox.bigcommerce import BigCommerceEmulator
from schemas.webhooks import REGISTERED_SCOPES
from tests.support import wait_for
from tests.webhooks.support import CLIENT_SECRET, SECRET, WHSEC, RunningReceiver, fetch_refs

HEADERS = {"X-Bcrm-Webhook-Secret": SECRET}


@pytest.fixture
def emulator(store: str) -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(
        orders=5,
        quota=None,
        store_hash=store,
        client_secret=CLIENT_SECRET,
        allow_plain_http_hooks=True,
    ) as emu:
        yield emu


@pytest.fixture
def client(emulator: BigCommerceEmulator) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(emulator.base_url, emulator.access_token, governor=None) as api:
        yield api


def test_order_lifecycle_reaches_fetch_once_per_event(
    make_receiver: Callable[..., RunningReceiver],
    emulator: BigCommerceEmulator,
    client: BigCommerceClient,
    rclient: redis.Redis,
    store: str,
) -> None:
    receiver = make_receiver(signing_keys=(signing_key(WHSEC),), stores=frozenset({store}))
    changes = register_hooks(client, store, receiver.url, REGISTERED_SCOPES, HEADERS)
    assert [c.action for c in changes] == ["created", "created"]

    product_id = min(emulator.store.products)
    customer_id = min(emulator.store.customers)
    order = emulator.place_order(
        products=[{"product_id": product_id, "quantity": 2}], customer_id=customer_id
    )
    emulator.ship(order["id"])
    emulator.refund(order["id"])

    scopes = {
        "store/order/created",
        "store/order/transaction/created",
        "store/shipment/created",
        "store/order/statusUpdated",
        "store/order/updated",
        "store/order/refund/created",
    }
    wait_for(
        lambda: (
            {a["scope"] for a in emulator.webhook_attempts()} >= scopes
            and emulator.webhooks_pending() == 0
        ),
        timeout=60,
        what="every delivery answered",
    )
    attempts = emulator.webhook_attempts()
    assert all(a["status"] == 200 for a in attempts), attempts
    # Two events of one scope in the same second share a hash (BigCommerce hashes the
    # payload, whose clock has seconds): they are one event to us, so expect one per hash.
    events = {(a["scope"], a["hash"]) for a in attempts}
    refs = fetch_refs(rclient, store)
    assert Counter(ref["reason"] for ref in refs) == Counter(scope for scope, _ in events)
    assert {ref["order_id"] for ref in refs} == {order["id"]}
    assert len({ref["record_key"] for ref in refs}) == len(refs)


def test_register_is_idempotent_and_reactivates(
    emulator: BigCommerceEmulator, client: BigCommerceClient, store: str
) -> None:
    destination = "https://hooks.example.com/webhooks/bigcommerce"
    first = register_hooks(client, store, destination, REGISTERED_SCOPES, HEADERS)
    again = register_hooks(client, store, destination, REGISTERED_SCOPES, HEADERS)
    assert [c.action for c in first] == ["created", "created"]
    assert [c.action for c in again] == ["unchanged", "unchanged"]
    assert [c.hook_id for c in again] == [c.hook_id for c in first]

    client.request("PUT", f"/v3/hooks/{first[0].hook_id}", body={"is_active": False})
    rotated = {"X-Bcrm-Webhook-Secret": "rotated"}
    repaired = register_hooks(client, store, destination, REGISTERED_SCOPES, rotated)
    assert [c.action for c in repaired] == ["updated", "updated"]
    hooks = list(client.iter_v3("/hooks"))
    assert len(hooks) == 2
    assert all(h["is_active"] and h["headers"] == rotated for h in hooks)
