"""Commerce records end to end: both emulators, the session's Redis, real worker processes.

A seeded store is polled into the pipeline; the ECM must then hold exactly the documents
the store owes, each once, classified as the file plan says. Running everything again
adds nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec
from pipeline.core.names import ecm_name, record_key
from pipeline.flows.commerce.documents import (
    due_documents,
)
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.records.classify import classify
from pipeline.runtime import services
from tests.commerce_world import World, archived_world, settled
from tests.support import wait_for

pytestmark = pytest.mark.e2e

ORDERS = 25


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with archived_world(redis_url, tmp_path_factory.mktemp("logs"), ORDERS, seed=11) as archived:
        yield archived


def _expected(world: World) -> dict[str, tuple[DocumentSpec, Any]]:
    """ECM name → (reference, snapshot) of every document the store owes."""
    expected = {}
    for order in world.client.iter_orders(include=()):
        snapshot = fetch_order_snapshot(world.client, world.store.store_hash, int(order["id"]))
        for ref in due_documents(snapshot):
            expected[ecm_name(ref)] = (ref, snapshot)
    return expected


def test_a_seeded_store_ends_with_exactly_the_due_records(world: World) -> None:
    expected = _expected(world)
    documents = world.documents()
    names = Counter(n["name"] for n in documents)
    assert set(names) == set(expected)
    assert all(count == 1 for count in names.values())
    assert len(expected) > 3 * ORDERS

    ledger = services.ledger()
    for node in documents:
        ref, snapshot = expected[node["name"]]
        record = ledger.get(record_key(ref))
        assert record["state"] == "declared"
        assert (record["target_id"], record["sha256"]) == (str(node["id"]), node["sha256"])
        record_class = classify(registry.flow(ref.flow), snapshot, ref)
        classification = node["classification"]
        assert classification["official"] is True
        assert classification["rsi"] == record_class.rsi
        assert classification["record_date"][:10] == record_class.record_date.date().isoformat()
        assert node["path"].split("/")[-2] == record_class.folder
        values = node["categories"]["9100"]["values"]
        assert world.store.store_hash in values.values()
        assert node["sha256"] in values.values()


def test_invoices_link_to_their_order_records(world: World) -> None:
    documents = {n["id"]: n for n in world.documents()}
    links = [(n, x) for n in documents.values() for x in n["xrefs"]]
    invoice_links = [(n, x) for n, x in links if x["xref_type"] == "INVOICE_FOR"]
    assert invoice_links
    for node, xref in invoice_links:
        target = documents[xref["xref_id"]]
        assert "-invoice-" in node["name"] and "-order-record-" in target["name"]
        assert node["path"].split("/")[-3] == target["path"].split("/")[-3]


def test_running_everything_again_adds_nothing(world: World) -> None:
    before = sorted((n["name"], n["sha256"]) for n in world.documents())
    for order in world.client.iter_orders(include=()):
        enqueue_order_event(world.store.store_hash, int(order["id"]), "test", uuid.uuid4().hex)
    wait_for(lambda: settled(world.store_hash), timeout=300, what="the re-run settled")
    assert sorted((n["name"], n["sha256"]) for n in world.documents()) == before


def test_a_shipment_after_archiving_adds_its_shipping_confirmation_once(world: World) -> None:
    order = next(world.client.iter_orders(status_id=11, include=()))
    world.store.ship(int(order["id"]))
    world.archive()
    documents = world.documents()
    shipped = [n for n in documents if n["name"].startswith(f"order-{order['id']}-shipping-")]
    assert shipped
    assert set(Counter(n["name"] for n in documents).values()) == {1}


def test_a_store_we_hold_no_token_for_is_dead_lettered(world: World, tmp_path: Path) -> None:
    enqueue_order_event("nosuchstore", 1, "test", uuid.uuid4().hex)
    from pipeline.core.deadletters import DeadLetterFilter

    entries = wait_for(
        lambda: services.dead_letters().list(DeadLetterFilter(record_prefix="nosuchstore:")),
        what="a dead letter for the unknown store",
    )
    assert entries[0].exception_type == "StoreNotConfigured"


def test_a_backfill_over_archived_orders_fetches_each_version_once(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.ops.backfill import enqueue_window, settled_fetches

    before = sorted((n["name"], n["sha256"]) for n in world.documents())
    now = datetime.now(UTC)
    progress: list[tuple[int, int]] = []
    keys = enqueue_window(world.client, world.store.store_hash, now - timedelta(days=3650), now,
                          on_progress=lambda n, total: progress.append((n, total)))  # fmt: skip
    orders = list(world.client.iter_orders(include=()))
    assert len(keys) == len(set(keys)) == len(orders)
    assert progress[-1] == (len(orders), len(orders))
    wait_for(lambda: settled_fetches(keys) == len(keys), timeout=300, what="backfill fetched")
    wait_for(lambda: settled(world.store_hash), timeout=300, what="backfill settled")
    assert sorted((n["name"], n["sha256"]) for n in world.documents()) == before
