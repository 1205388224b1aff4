"""Which BigCommerce calls fetch makes, counted by the emulator (issue 7, P1).

A polled order comes with its listing: fetch reads neither the order nor its refunds
again, and reads taxes and coupons only for orders owing a document that shows them. A
listing overtaken by a later look at the order is not used.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.devtools.demo import DEMO_BUYER as BUYER
from pipeline.flows.commerce.documents import DocumentKind, due_documents
from pipeline.flows.commerce.intake import order_event_ref
from pipeline.flows.commerce.order_fetch import (
    Listing,
    fetch_order_snapshot,
    listed_orders,
    stage_listing,
)
from pipeline.flows.commerce.order_fetch import staged_listing as staged
from pipeline.flows.commerce.pollers import order_version_id
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator

ORDERS = 80
WHOLE_ORDER_KINDS = {DocumentKind.ORDER_RECORD, DocumentKind.INVOICE, DocumentKind.TAX_BREAKDOWN}


@pytest.fixture(scope="module")
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(orders=ORDERS, seed=7, quota=None,
                             store_hash=uuid.uuid4().hex[:10]) as emulator:  # fmt: skip
        yield emulator


def _client(store: BigCommerceEmulator) -> BigCommerceClient:
    """A fresh client, so the seller (cached per client) is read once per test."""
    return BigCommerceClient(store.base_url, store.access_token, governor=None)


def _ref(store: BigCommerceEmulator, listing: Listing) -> dict[str, Any]:
    """The fetch message a poll enqueues for a listed order."""
    order = listing.order
    digest = stage_listing(store.store_hash, listing)
    return order_event_ref(store.store_hash, int(order["id"]), "poll", order_version_id(order),
                           digest)  # fmt: skip


def _calls(store: BigCommerceEmulator) -> Counter[str]:
    return Counter({k: v for k, v in store.request_counters().items() if k != "total"})


def _new_order(store: BigCommerceEmulator, status_id: int) -> int:
    client = _client(store)
    product = next(client.iter_v3("/catalog/products", {"limit": 5}))
    lines = [{"product_id": product["id"], "quantity": 2}]
    return int(store.place_order(products=lines, billing_address=BUYER, status_id=status_id)["id"])


def test_polled_orders_are_fetched_without_reading_order_or_refunds_again(
    store: BigCommerceEmulator,
) -> None:
    client = _client(store)
    store.reset_counters()
    refs = [_ref(store, listing) for listing in listed_orders(client)]
    listed = _calls(store)
    snapshots = [
        fetch_order_snapshot(client, store.store_hash, ref["order_id"], staged(ref)) for ref in refs
    ]
    fetched = _calls(store) - listed
    orders = [s.order for s in snapshots]
    owing = [s for s in snapshots if {r.kind for r in due_documents(s)} & WHOLE_ORDER_KINDS]

    assert len(refs) == ORDERS and any(o.refunded_amount for o in orders)
    assert listed == {"GET /v2/orders": 1, "GET /v3/orders/payment_actions/refunds": 1}
    assert fetched == {
        "GET /v2/store": 1,
        "GET /v2/orders/{order_id}/shipments": sum(o.items_shipped > 0 for o in orders),
        "GET /v3/orders/{order_id}/transactions": sum(bool(o.payment_status) for o in orders),
        "GET /v2/orders/{order_id}/taxes": len(owing),
        "GET /v2/orders/{order_id}/coupons": sum(s.order.coupon_discount > 0 for s in owing),
    }
    assert 0 < len(owing) < ORDERS  # some orders owe only per-part documents
    assert all(s.taxes for s in owing)

    # The same documents, fingerprints included, as reading every order from the API.
    assert [due_documents(s) for s in snapshots] == [
        due_documents(fetch_order_snapshot(client, store.store_hash, o.id)) for o in orders
    ]


def test_an_order_awaiting_payment_reads_its_taxes_once_it_is_paid(
    store: BigCommerceEmulator,
) -> None:
    client = _client(store)
    order_id = _new_order(store, status_id=7)
    store.reset_counters()
    unpaid = fetch_order_snapshot(client, store.store_hash, order_id)
    assert "GET /v2/orders/{order_id}/taxes" not in _calls(store)
    assert unpaid.taxes == () and unpaid.order.total_tax > 0
    assert not {r.kind for r in due_documents(unpaid)} & WHOLE_ORDER_KINDS

    store.set_status(order_id, 11)
    store.reset_counters()
    paid = fetch_order_snapshot(client, store.store_hash, order_id)
    assert _calls(store)["GET /v2/orders/{order_id}/taxes"] == 1
    assert sum(tax.line_amount for tax in paid.taxes) == paid.order.total_tax
    assert DocumentKind.INVOICE in {r.kind for r in due_documents(paid)}


def test_a_listing_overtaken_by_a_later_look_is_read_again(store: BigCommerceEmulator) -> None:
    client = _client(store)
    order_id = _new_order(store, status_id=11)
    (first,) = listed_orders(client, min_id=order_id, max_id=order_id)
    first_ref = _ref(store, first)
    assert staged(first_ref) == first

    store.set_status(order_id, 2)  # shipped, then polled again: the first listing is old
    (second,) = listed_orders(client, min_id=order_id, max_id=order_id)
    second_ref = _ref(store, second)
    store.reset_counters()
    snapshot = fetch_order_snapshot(client, store.store_hash, order_id, staged(first_ref))
    assert _calls(store)["GET /v2/orders/{order_id}"] == 1
    assert snapshot.order.status_id == 2
    assert staged(second_ref) == second

    store.set_status(order_id, 10)  # a webhook's fetch reads the order: the poll's is old
    fetch_order_snapshot(client, store.store_hash, order_id)
    assert staged(second_ref) is None


def test_a_listing_no_longer_staged_leaves_fetch_to_read_the_order(
    store: BigCommerceEmulator,
) -> None:
    ref = order_event_ref(store.store_hash, 1, "poll", "modified:x", listing="0" * 64)
    assert staged(ref) is None
