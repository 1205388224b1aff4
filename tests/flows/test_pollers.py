"""Pollers against the BigCommerce emulator and the session's real Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from pipeline.flows.commerce.pollers import Checkpoints, poll_orders, poll_refunds
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import redis_client
from sandbox.bigcommerce.server import BigCommerceEmulator


@pytest.fixture(scope="module")
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(orders=120, seed=7, quota=None,
                             store_hash=uuid.uuid4().hex[:10]) as emulator:  # fmt: skip
        yield emulator


def _client(store: BigCommerceEmulator) -> BigCommerceClient:
    return BigCommerceClient(store.base_url, store.access_token, governor=None)


class Recorder:
    """Stands in for the broker: what a poll would have enqueued."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int, str, str]] = []
        self.listings: list[str | None] = []

    def __call__(
        self, store_hash: str, order_id: int, reason: str, event_id: str, listing: str | None
    ) -> str:
        self.events.append((store_hash, order_id, reason, event_id))
        self.listings.append(listing)
        return "task-id"


def test_first_poll_enqueues_every_order_and_sets_the_checkpoint(
    store: BigCommerceEmulator,
) -> None:
    checkpoints = Checkpoints(redis_client())
    hash_ = f"p1{uuid.uuid4().hex[:8]}"
    recorder = Recorder()
    result = poll_orders(_client(store), checkpoints, hash_, enqueue=recorder)
    assert result.enqueued == 120 == len({e[1] for e in recorder.events})
    assert all(reason == "poll" and event_id.startswith("modified:")
               for _, _, reason, event_id in recorder.events)  # fmt: skip
    assert checkpoints.get(hash_, "orders") == result.checkpoint is not None
    assert all(recorder.listings)  # each order event names its staged listing


def test_a_second_poll_sees_only_the_overlap_then_the_changed_order(
    store: BigCommerceEmulator,
) -> None:
    checkpoints = Checkpoints(redis_client())
    hash_ = f"p2{uuid.uuid4().hex[:8]}"
    first = Recorder()
    poll_orders(_client(store), checkpoints, hash_, enqueue=first)
    second = Recorder()
    poll_orders(_client(store), checkpoints, hash_, enqueue=second)
    assert len(second.events) < len(first.events)
    assert set(second.events) <= set(first.events)  # same versions, same event ids: deduped

    changed = min(o for _, o, _, _ in first.events)
    store.set_status(changed, 10)
    third = Recorder()
    poll_orders(_client(store), checkpoints, hash_, enqueue=third)
    new_versions = set(third.events) - set(first.events)
    assert {order_id for _, order_id, _, _ in new_versions} == {changed}


def test_refund_poll_enqueues_the_refunded_orders(store: BigCommerceEmulator) -> None:
    checkpoints = Checkpoints(redis_client())
    hash_ = f"p3{uuid.uuid4().hex[:8]}"
    recorder = Recorder()
    result = poll_refunds(_client(store), checkpoints, hash_, enqueue=recorder)
    refunds = list(_client(store).iter_refunds())
    assert result.enqueued == len(refunds) > 0
    assert {e[1] for e in recorder.events} == {int(r["order_id"]) for r in refunds}
    assert all(e[2] == "refund" for e in recorder.events)
    assert not any(recorder.listings)  # a refund event lists no order: fetch reads it


def test_the_checkpoint_never_moves_back() -> None:
    from datetime import UTC, datetime, timedelta

    checkpoints = Checkpoints(redis_client())
    hash_ = f"p4{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    checkpoints.advance(hash_, "orders", now)
    checkpoints.advance(hash_, "orders", now - timedelta(hours=1))
    assert checkpoints.get(hash_, "orders") == now
