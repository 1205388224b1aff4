"""Pollers: find what changed in a store since the last look and enqueue it.

Orders are paged by `date_modified` ascending from a stored checkpoint minus a small
overlap (the reference leaves bound inclusivity unconfirmed, and clocks drift); refunds
by the store-wide list's `created`. Each order version becomes one order event whose id
is its `date_modified`, so an order seen twice in the overlap is fetched once. The
checkpoint moves only after the events up to it were handed to the broker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis

from pipeline.core import keys
from pipeline.core.redis_values import text
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.commerce.order_fetch import listed_orders, stage_listing
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime.log import log_event
from schemas.bigcommerce import SourceDateTime

OVERLAP = timedelta(minutes=5)
# First poll of a store with no checkpoint: how far back to look.
INITIAL_LOOKBACK = timedelta(days=365 * 5)

# (store hash, order id, reason, event id, staged listing or None) -> task id
Enqueue = Callable[[str, int, str, str, str | None], str]


_SOURCE_TIME = SourceDateTime()


def _source_time(text: str) -> datetime:
    """RFC 2822 (v2) or ISO 8601 (v3) to an aware datetime, as the snapshot parses them."""
    moment: datetime = _SOURCE_TIME.deserialize(text)
    return moment


def order_version_id(order: dict[str, object]) -> str:
    """The event id of one order version: polls and backfills of the same version agree,
    so the fetch ledger runs it once."""
    return f"modified:{_source_time(str(order['date_modified'])).isoformat()}"


def checkpoint_key(store_hash: str, resource: str) -> str:
    return keys.checkpoint(store_hash, resource)


def poll_runs_key(store_hash: str, resource: str) -> str:
    """How many polls completed: lets an operator (and the demo) see polling advance."""
    return keys.poll_runs(store_hash, resource)


@dataclass
class PollResult:
    """What one poll enqueued and where it leaves the checkpoint."""

    store_hash: str
    resource: str
    enqueued: int
    checkpoint: datetime | None


class Checkpoints:
    """Per store and resource, the newest source timestamp already enqueued."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def get(self, store_hash: str, resource: str) -> datetime | None:
        raw = self._client.get(checkpoint_key(store_hash, resource))
        return None if raw is None else datetime.fromisoformat(text(raw))

    def advance(self, store_hash: str, resource: str, moment: datetime) -> None:
        """Move forward only; a late, slower poll never moves a checkpoint back."""
        current = self.get(store_hash, resource)
        if current is None or moment > current:
            self._client.set(checkpoint_key(store_hash, resource), moment.isoformat())

    def polled(self, store_hash: str, resource: str, moment: datetime) -> None:
        """A poll of the stream completed at `moment`: count it and remember when."""
        pipe = self._client.pipeline()
        pipe.incr(poll_runs_key(store_hash, resource))
        pipe.set(keys.last_poll(store_hash, resource), moment.isoformat())
        pipe.execute()

    def lag_s(self, store_hash: str, resource: str, now: datetime) -> float | None:
        """Seconds since the last successful poll (None: none recorded yet). Not since the
        checkpoint: that is the store's newest change, and a quiet store is not late."""
        raw = self._client.get(keys.last_poll(store_hash, resource))
        if raw is None:
            return None
        return max((now - datetime.fromisoformat(text(raw))).total_seconds(), 0.0)


def _window_start(checkpoints: Checkpoints, store_hash: str, resource: str) -> datetime:
    last = checkpoints.get(store_hash, resource)
    if last is None:
        return datetime.now(UTC) - INITIAL_LOOKBACK
    return last - OVERLAP


def poll_orders(
    client: BigCommerceClient, checkpoints: Checkpoints, store_hash: str,
    enqueue: Enqueue = enqueue_order_event,
) -> PollResult:  # fmt: skip
    """Enqueue one event per order version modified since the checkpoint, each with the
    order as listed, staged, so that fetch need not read it again (`order_fetch.Listing`)."""
    since = _window_start(checkpoints, store_hash, "orders")
    enqueued, newest = 0, None
    for listing in listed_orders(client, min_date_modified=since):
        order = listing.order
        modified = _source_time(order["date_modified"])
        digest = stage_listing(store_hash, listing)
        enqueue(store_hash, int(order["id"]), "poll", order_version_id(order), digest)
        enqueued += 1
        newest = modified if newest is None or modified > newest else newest
        checkpoints.advance(store_hash, "orders", modified)
    log_event("poll.orders", store_hash=store_hash, enqueued=enqueued, since=since.isoformat())
    checkpoints.polled(store_hash, "orders", datetime.now(UTC))
    return PollResult(store_hash, "orders", enqueued, checkpoints.get(store_hash, "orders"))


def poll_refunds(
    client: BigCommerceClient, checkpoints: Checkpoints, store_hash: str,
    enqueue: Enqueue = enqueue_order_event,
) -> PollResult:  # fmt: skip
    """Enqueue an order event per refund created since the checkpoint (a refund does not
    always change the order's `date_modified` in time for the order poll)."""
    since = _window_start(checkpoints, store_hash, "refunds")
    enqueued = 0
    for refund in client.iter_refunds(created_min=since):
        created = _source_time(refund["created"])
        enqueue(store_hash, int(refund["order_id"]), "refund", f"refund:{refund['id']}", None)
        enqueued += 1
        checkpoints.advance(store_hash, "refunds", created)
    log_event("poll.refunds", store_hash=store_hash, enqueued=enqueued, since=since.isoformat())
    checkpoints.polled(store_hash, "refunds", datetime.now(UTC))
    return PollResult(store_hash, "refunds", enqueued, checkpoints.get(store_hash, "refunds"))


POLLERS = {"orders": poll_orders, "refunds": poll_refunds}
