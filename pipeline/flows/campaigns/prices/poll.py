"""The price poll of flow 7: per store, the catalog's prices into the archive index's
price history (`pipeline.index.prices`), so a promotion's prior price (EU Price
Indication Directive Art 6a) can be proved from what the store really charged.

Reads (reference bigcommerce-api.md §6): `GET /v3/catalog/products?include=variants`
at `limit=250`, through `approvals.governed.read_catalog` (the same read flow 3's watch
makes); between full reads only products with `date_modified:min` at the checkpoint (the
newest `date_modified` seen, store clock) minus `OVERLAP`. A full read every
`FULL_READ_EVERY` catches a variant changed without its product's `date_modified`
moving (the catalog spec does not say a variant write moves it). The store's currency
(`GET /v2/store` `currency`) is asked once, when observation begins: v3 catalog prices
are in the store's default currency (price lists, other currencies, are not read here).

A variant's price and sale price are its own, or its product's when null (the catalog's
inheritance, product-variants_catalog.v3.yml: "nullable = inherit"), so each variant's
history is what a shopper of that variant was charged.

Every call goes through the store's client, so through the shared per-store quota
governor. Idempotent: rows are added only for changed prices (see `PriceHistory.record`)
and the checkpoint moves only after the rows are written, so a duplicate poll adds
nothing and a poll killed mid-way is redone by the next.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from pipeline.core import keys
from pipeline.flows.approvals.governed import Observation, read_catalog
from pipeline.index.money import to_minor
from pipeline.index.prices import BASE, ObservedPrice, PriceHistory
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime.log import log_event
from pipeline.runtime.settings import Settings

OVERLAP = timedelta(minutes=5)
FULL_READ_EVERY = timedelta(hours=24)
PRICE_POLL = "prices"
POLL_PRICES_TASK = "bcrm.control.poll_prices"


@dataclass(frozen=True)
class PricePoll:
    """What one poll did: a full read or an incremental one, how many products and
    variants it read, how many price changes it added to the history."""

    store_hash: str
    full: bool
    read: int
    recorded: int


def _ids(target: str) -> tuple[int, int]:
    """`product/12` → (12, 0); `product/12/variant/40` → (12, 40)."""
    parts = target.split("/")
    return int(parts[1]), int(parts[3]) if len(parts) > 3 else BASE


def observed_prices(seen: Iterable[Observation], currency: str) -> Iterator[ObservedPrice]:
    """The catalog read as prices in minor units; a variant inherits what it leaves null."""
    products: dict[int, dict[str, Any]] = {}
    for observation in seen:
        product_id, variant_id = _ids(observation.target)
        fields = observation.fields
        if variant_id == BASE:
            products[product_id] = fields
        own = products.get(product_id, {})
        price = fields.get("price") if fields.get("price") is not None else own.get("price")
        sale = fields.get("sale_price")
        if sale is None:
            sale = own.get("sale_price")
        yield ObservedPrice(
            product_id,
            variant_id,
            to_minor(price, currency),
            to_minor(sale, currency),
            datetime.fromisoformat(observation.modified),
        )


def poll_prices(
    client: BigCommerceClient, history: PriceHistory, store_hash: str, now: datetime
) -> PricePoll:
    """One poll of the store's catalog prices (callers hold the store's poll lock)."""
    state = history.observation(store_hash)
    full = state is None or now - state.last_full_read_at >= FULL_READ_EVERY
    currency = (
        state.currency
        if state is not None
        else str(client.store_information().get("currency") or "USD").upper()
    )
    since = None if full or state is None or state.checkpoint is None else state.checkpoint
    seen = read_catalog(client, None if since is None else since - OVERLAP)
    prices = list(observed_prices(seen, currency))
    recorded = history.record(store_hash, currency, prices, now)
    newest = max((p.effective_at for p in prices), default=None)
    history.polled(store_hash, currency, now, full=full, checkpoint=newest)
    log_event(
        "prices.polled",
        logging.INFO,
        store_hash=store_hash,
        full=full,
        read=len(prices),
        recorded=recorded,
    )
    return PricePoll(store_hash, full, len(prices), recorded)


def poll_store(
    client: BigCommerceClient,
    history: PriceHistory,
    lock_client: redis.Redis,
    store_hash: str,
    now: datetime,
    lock_timeout_s: float,
) -> PricePoll | None:
    """One poll per store at a time (a duplicate tick finds the lock taken and returns
    None); the lock expires with the visibility timeout, so a poller killed mid-poll
    holds the next one up no longer than Redis takes to redeliver its work."""
    lock = lock_client.lock(keys.poll_lock(store_hash, PRICE_POLL), timeout=lock_timeout_s)
    if not lock.acquire(blocking=False):
        return None
    try:
        return poll_prices(client, history, store_hash, now)
    finally:
        lock.release()


def price_streams(config: Settings) -> dict[str, dict[str, Any]]:
    """Beat entries of the price poll, one per store, every `poll_interval_s` (the
    campaigns flow's `streams` includes them)."""
    return {
        f"poll-prices-{store_hash}": {
            "task": POLL_PRICES_TASK,
            "schedule": config.poll_interval_s,
            "args": [store_hash],
            "options": {"expires": config.poll_interval_s},
        }
        for store_hash in config.store_tokens
    }


def price_stream_lags(
    history: PriceHistory, store_hash: str, now: datetime
) -> dict[str, float | None]:
    """The price poll's lag for the campaigns flow's `stream_lags` (None: never polled)."""
    state = history.observation(store_hash)
    return {PRICE_POLL: None if state is None else state.lag_s(now)}


def price_polls_completed(history: PriceHistory, store_hash: str) -> dict[str, int]:
    """The price polls finished, for the campaigns flow's `polls_completed`."""
    state = history.observation(store_hash)
    return {PRICE_POLL: 0 if state is None else state.polls}
