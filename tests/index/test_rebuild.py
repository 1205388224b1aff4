"""A rebuild from the ECM alone gives back the index declare wrote, row for row."""

from __future__ import annotations

import json
import uuid

import pytest

from pipeline.index.rebuild import rebuild
from pipeline.index.records import ArchiveIndex
from tests.index.world import ROOT_ID, IndexWorld, index_world

ORDERS = 14
SEED = 11


def _archive(world: IndexWorld) -> list[int]:
    """Every order, then live changes that make new versions (a shipment, a partial and a
    full refund), archived again; and two months of tax summaries."""
    order_ids = world.order_ids()
    for order_id in order_ids:
        world.archive_order(order_id)
    changed: list[int] = []
    for order_id in order_ids:
        status = world.client.get_order(order_id)["status_id"]
        if status in (9, 11) and not changed:
            world.store.ship(order_id)
        elif status in (2, 10) and len(changed) < 3:
            world.store.refund(order_id, amount=1.0 if len(changed) == 1 else None)
        else:
            continue
        changed.append(order_id)
        world.archive_order(order_id)
    for year, month in ((2024, 1), (2024, 2), (2025, 6)):
        world.archive_month(year, month)
    return changed


@pytest.fixture
def world(index: ArchiveIndex, database_url: str) -> IndexWorld:
    with index_world(index, database_url, uuid.uuid4().hex[:10], ORDERS, SEED) as world:
        _archive(world)
        yield world


def test_rebuild_of_an_archived_store_equals_the_index_declare_wrote(world: IndexWorld) -> None:
    index = world.index
    before = index.store_content(world.store_hash)
    assert set(before.records) == set(world.declared)
    assert any(row.supersedes for row in before.records.values()), "no live change made a version"
    assert any(row.subject_kind == "store_month" for row in before.records.values())

    report = rebuild(world.otcs, index, world.store_hash, ROOT_ID, dry_run=True)

    assert report.to_json()["unchanged"], json.dumps(report.to_json(), indent=1)[:3000]
    assert report.records == len(before.records)
    assert report.orders == len(before.orders)
    assert report.not_records == []


def test_rebuild_restores_what_the_index_lost_and_drops_what_the_ecm_lacks(
    world: IndexWorld,
) -> None:
    index = world.index
    store = world.store_hash
    before = index.store_content(store)
    lost_key = sorted(before.records)[0]
    lost_order = sorted(before.orders)[0]
    stray = f"{store}/order-999999-invoice/0000000000000000"
    wrong = sorted(before.records)[1]
    records = {k: v for k, v in before.records.items() if k != lost_key}
    records[stray] = before.records[wrong].__class__(
        **{**before.records[wrong].__dict__, "record_key": stray}
    )
    records[wrong] = before.records[wrong].__class__(
        **{**before.records[wrong].__dict__, "sha256": "0" * 64}
    )
    orders = {k: v for k, v in before.orders.items() if k != lost_order}
    index.replace_store(store, records, orders)

    dry = rebuild(world.otcs, index, store, ROOT_ID, dry_run=True)
    assert (dry.added, dry.changed, dry.removed) == ([lost_key], [wrong], [stray])
    assert dry.lines_added == [lost_order]
    assert index.store_content(store).records == records  # a dry run writes nothing

    done = rebuild(world.otcs, index, store, ROOT_ID)
    assert done.added == [lost_key]
    assert index.store_content(store) == before
    assert rebuild(world.otcs, index, store, ROOT_ID).unchanged
