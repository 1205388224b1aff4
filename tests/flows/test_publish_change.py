"""The publish stage's domain function against the BigCommerce emulator: adopt, refuse as
drift, write once and verify, and never repeat a write whose answer was lost (the
emulator's write log proves "applied once")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from pipeline.flows.approvals.change_request import ChangeRequest, canonical
from pipeline.flows.approvals.publish import publish_change
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator

RULE = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}


@pytest.fixture
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(orders=5, seed=3, quota=None) as emulator:
        yield emulator


@pytest.fixture
def client(store: BigCommerceEmulator) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.base_url, store.access_token, governor=None) as api:
        yield api


def price_change(client: BigCommerceClient, store: BigCommerceEmulator, new: str) -> ChangeRequest:
    product = client.get_v3("/catalog/products", {"limit": 1})[0]
    return ChangeRequest(
        id="CR-1",
        store_hash=store.store_hash,
        change_type="product_price",
        target=f"product/{product['id']}",
        after={"price": new},
        before={"price": canonical(product["price"])},
    )


def writes(store: BigCommerceEmulator) -> list[dict]:
    return [w for w in store.applied_writes() if w["method"] != "GET"]


def test_an_approved_price_is_written_once_and_verified(client, store) -> None:
    change = price_change(client, store, "19.99")
    outcome = publish_change(client, change)
    assert outcome.result == "published" and outcome.after_live == {"price": "19.99"}
    assert outcome.published_at and outcome.verified_at
    again = publish_change(client, change)  # a redelivered message
    assert again.result == "adopted"
    assert [(w["method"], w["body"]) for w in writes(store)] == [("PUT", {"price": 19.99})]


def test_a_live_state_that_moved_since_approval_is_refused_as_drift(client, store) -> None:
    change = price_change(client, store, "19.99")
    store.change_price(int(change.target.split("/")[1]), 5.55)
    outcome = publish_change(client, change)
    assert outcome.refused and outcome.reason.startswith("drift")
    assert outcome.before_live == {"price": "5.55"}
    assert len(writes(store)) == 0  # the merchant's own change is not an API write


def test_a_write_whose_answer_was_lost_is_re_read_not_repeated(client, store) -> None:
    change = price_change(client, store, "23.5")
    store.set_faults(lost_answer_rate=1.0, families=["catalog"])
    outcome = publish_change(client, change)
    store.set_faults()
    assert outcome.result == "published" and outcome.answers == [{"lost": "BigCommerceUnavailable"}]
    [write] = writes(store)
    assert write["answered"] is False
    assert client.get_v3(f"/catalog/{change.target.replace('product/', 'products/')}")[
        "price"
    ] == Decimal("23.5")


def test_a_promotion_carries_its_change_request_id_and_is_found_before_creating(
    client, store
) -> None:
    change = ChangeRequest(
        id="CR-7",
        store_hash=store.store_hash,
        change_type="promotion",
        target="promotion",
        after={"name": "Spring", "redemption_type": "AUTOMATIC", "rules": [RULE]},
        before=None,
    )
    store.set_faults(lost_answer_rate=1.0, families=["marketing"])
    first = publish_change(client, change)
    store.set_faults()
    second = publish_change(client, change)
    assert first.result == "published" and second.result == "adopted"
    posts = [w for w in writes(store) if w["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["body"]["name"] == "Spring [CR-7]"


def test_a_promotion_someone_else_created_with_other_rules_is_drift(client, store) -> None:
    store.create_promotion(
        name="Spring [CR-8]", redemption_type="AUTOMATIC", rules=[{**RULE, "stop": True}]
    )
    change = ChangeRequest(
        "CR-8", store.store_hash, "promotion", "promotion",
        {"name": "Spring", "redemption_type": "AUTOMATIC", "rules": [RULE]}, None,
    )  # fmt: skip
    outcome = publish_change(client, change)
    assert outcome.refused and "drift" in outcome.reason


def test_a_page_text_is_published_once(client, store) -> None:
    page = client.request("GET", "/v3/content/pages", params={"include": "body"})["data"][0]
    change = ChangeRequest(
        "CR-9", store.store_hash, "page", f"page/{page['id']}",
        {"body": "<p>Returns within 60 days.</p>"}, {"body": page["body"]},
    )  # fmt: skip
    assert publish_change(client, change).result == "published"
    assert publish_change(client, change).result == "adopted"
    assert [w["body"] for w in writes(store)] == [{"body": "<p>Returns within 60 days.</p>"}]


def test_a_refund_exception_carries_its_id_and_is_made_once_despite_a_lost_answer(
    client, store
) -> None:
    order = store.place_order(customer_id=1, products=[{"product_id": 1, "quantity": 1}])
    change = ChangeRequest(
        "CR-11", store.store_hash, "refund_exception", f"order/{order['id']}",
        {"amount": "5", "reason": "goodwill"}, None,
    )  # fmt: skip
    store.set_faults(lost_answer_rate=1.0, families=["refunds"])
    try:
        first = publish_change(client, change)
    finally:
        store.set_faults()
    assert first.result == "published" and first.after_live == {"amount": "5", "reason": "goodwill"}
    assert publish_change(client, change).result == "adopted"
    refunds = [w for w in writes(store) if w["path"].endswith("/payment_actions/refunds")]
    assert len(refunds) == 1 and refunds[0]["body"]["reason"] == "goodwill [CR-11]"
