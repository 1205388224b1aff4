"""The watch of governed fields, one look at a time, against the BigCommerce emulator and
the session's Redis: a first look is a baseline; a change nobody published is one
unapproved change however often it is looked at again; what the publish stage said it
would write, a return to the approved value and a promotion lapsing on its own are no
one's change; a variant and a promotion are watched like a product."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from pipeline.flows.approvals import observed
from pipeline.flows.approvals.change_request import ChangeRequest, canonical
from pipeline.flows.approvals.watch import GovernedLook, take_look
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator
from tests.support import wait_for

RULE = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}


@pytest.fixture
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(
        orders=2, seed=7, quota=None, store_hash=uuid.uuid4().hex[:10]
    ) as emulator:
        yield emulator


@pytest.fixture
def client(store: BigCommerceEmulator) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.base_url, store.access_token, governor=None) as api:
        yield api


@pytest.fixture
def db(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def look(client: BigCommerceClient, db: redis.Redis, store: BigCommerceEmulator) -> GovernedLook:
    return take_look(client, db, store.store_hash, 10.0)


def first_product(client: BigCommerceClient) -> dict:
    return client.get_v3("/catalog/products", {"limit": 1, "include": "variants"})[0]


def test_a_first_look_is_a_baseline_and_a_direct_change_is_one_unapproved_change(
    client, db, store
) -> None:
    assert look(client, db, store).changes == ()
    product = first_product(client)
    store.change_price(product["id"], 77.7)
    [change] = look(client, db, store).changes
    assert (change.target, change.change_type) == (f"product/{product['id']}", "product_price")
    assert change.after == {"price": "77.7"}
    assert change.before == change.sanctioned == {"price": canonical(product["price"])}
    assert change.id == f"product-{product['id']}-1"
    again = look(client, db, store)  # repolls owe the same change, never a second one
    assert [c.id for c in again.changes] == [change.id]
    assert [c.id for c in observed.every_change(db, store.store_hash)] == [change.id]
    assert observed.counts(db, store.store_hash) == {"price": 1}
    observed.settle(db, store.store_hash, change.id)  # its record was declared
    assert look(client, db, store).changes == ()


def test_a_published_value_and_a_return_to_the_approved_value_are_no_ones_change(
    client, db, store
) -> None:
    look(client, db, store)
    product = first_product(client)
    target = f"product/{product['id']}"
    change = ChangeRequest(
        "CR-9", store.store_hash, "product_price", target, {"price": "31.5"}, None
    )
    observed.expect(db, change)
    client.request("PUT", f"/v3/catalog/products/{product['id']}", body={"price": 31.5})
    assert look(client, db, store).changes == ()
    assert not db.hlen(f"bcrm:governed:intents:{store.store_hash}")  # seen, so spent
    store.change_price(product["id"], 40.0)
    [unapproved] = look(client, db, store).changes
    assert unapproved.sanctioned == {"price": "31.5"}
    store.change_price(product["id"], 31.5)  # undone by hand: back to what was approved
    assert [c.id for c in look(client, db, store).changes] == [unapproved.id]


def test_variants_and_promotions_are_watched_and_a_lapsing_promotion_is_not_a_change(
    client, db, store
) -> None:
    product = next(
        p for p in client.iter_v3("/catalog/products", {"include": "variants"})
        if len(p["variants"]) > 1
    )  # fmt: skip
    variant = product["variants"][1]
    running = store.create_promotion(name="Autumn", redemption_type="AUTOMATIC", rules=[RULE])
    ends = (datetime.now(UTC) + timedelta(seconds=2)).isoformat(timespec="seconds")
    ending = store.create_promotion(
        name="Flash", redemption_type="AUTOMATIC", rules=[RULE], end_date=ends
    )
    look(client, db, store)
    store.change_price(product["id"], 12.0, variant_id=variant["id"])
    client.request("PUT", f"/v3/promotions/{running['id']}", body={"status": "DISABLED"})
    wait_for(  # its end date passed: DISABLED by itself
        lambda: client.get_v3(f"/promotions/{ending['id']}")["status"] == "DISABLED",
        timeout=30,
        what="the flash promotion to end",
    )
    changes = {c.target: c for c in look(client, db, store).changes}
    assert set(changes) == {
        f"product/{product['id']}/variant/{variant['id']}",
        f"promotion/{running['id']}",
    }
    assert changes[f"promotion/{running['id']}"].change_type == "promotion"
    assert changes[f"promotion/{running['id']}"].after == {"status": "DISABLED"}


def test_a_withdrawal_is_a_takedown_and_a_mixed_change_is_one_change_per_type(
    client, db, store
) -> None:
    look(client, db, store)
    product = first_product(client)
    body = {"price": 9.0, "is_visible": False}
    client.request("PUT", f"/v3/catalog/products/{product['id']}", body=body)
    changes = sorted(look(client, db, store).changes, key=lambda c: c.number)
    assert [(c.change_type, sorted(c.after)) for c in changes] == [
        ("product_price", ["price"]),
        ("product_takedown", ["is_visible"]),
    ]
    assert [c.number for c in changes] == [1, 2]
