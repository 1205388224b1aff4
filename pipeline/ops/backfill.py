"""Backfill: enqueue every order of a window, the way the poller does for new ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline.flows.commerce.intake import enqueue_order_event, order_event_ref
from pipeline.flows.commerce.order_fetch import listed_orders, stage_listing
from pipeline.flows.commerce.pollers import order_version_id
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import services


def enqueue_window(
    client: BigCommerceClient,
    store_hash: str,
    since: datetime,
    until: datetime,
    on_progress: Callable[[int, int], None] = lambda n, total: None,
) -> list[str]:
    """Enqueue one event per order modified in [since, until]; return their ledger keys.

    The event id is the order version (`date_modified`), as the poller's, so a backfill
    over a window the poller already covered fetches nothing twice; like the poller's, each
    event carries the order as listed (`order_fetch.listed_orders`), staged.
    """
    bounds = {"min_date_modified": since.isoformat(), "max_date_modified": until.isoformat()}
    total = int(client.get_v2("/orders/count", bounds)["count"])
    keys = []
    for listing in listed_orders(client, min_date_modified=since, max_date_modified=until):
        order_id, event_id = int(listing.order["id"]), order_version_id(listing.order)
        digest = stage_listing(store_hash, listing)
        enqueue_order_event(store_hash, order_id, "poll", event_id, digest)
        keys.append(order_event_ref(store_hash, order_id, "poll", event_id)["record_key"])
        on_progress(len(keys), max(total, len(keys)))
    return keys


def settled_fetches(record_keys: list[str]) -> int:
    """How many of the backfill's fetches finished (snapshotted or dead-lettered)."""
    states = [r.get("state") for r in services.ledger().get_many(record_keys)]
    return sum(state in ("fetched", "dead_lettered") for state in states)
