"""The price poll run by real workers against the emulator: duplicate polls sent at
once, changes through the API and the control panel between them, and every change
recorded once, as the emulator's own log has it; a poll killed after writing its rows
adds nothing when it is run again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.celery import app
from pipeline.core.queues import queues_idle
from pipeline.flows.approvals.governed import read_catalog
from pipeline.flows.campaigns.prices.poll import (
    POLL_PRICES_TASK,
    observed_prices,
    price_polls_completed,
    price_stream_lags,
)
from pipeline.index.database import make_engine, upgrade
from pipeline.index.prices import PriceHistory
from pipeline.runtime import redis_client
from pipeline.runtime.fleet import Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from tests.campaign_prices.conftest import poll, store_now
from tests.support import wait_for, world_env

DUPLICATES = 4


@pytest.fixture
def world(redis_url: str, tmp_path: Path) -> Iterator[tuple[BigCommerceEmulator, PriceHistory]]:
    database = f"sqlite:///{tmp_path / 'index.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    with (
        BigCommerceEmulator(
            orders=2, seed=3, quota=None, store_hash=uuid.uuid4().hex[:10]
        ) as store,
        OTCSEmulator(password="pw") as ecm,
    ):
        env = {**world_env(store, ecm, "pw"), "BCRM_DATABASE_URL": database}
        fleet = Fleet(redis_url, log_dir=tmp_path / "logs", extra_env=env)
        fleet.start(groups=("io",))
        try:
            yield store, PriceHistory(engine)
        finally:
            fleet.stop()
            engine.dispose()


def _polls(store: BigCommerceEmulator, history: PriceHistory, before: int) -> None:
    """Send duplicate polls at once; wait until they ran (the ones that found the store's
    poll lock taken did nothing) and the control queue is idle."""
    for _ in range(DUPLICATES):
        app.send_task(POLL_PRICES_TASK, args=[store.store_hash], queue="control")

    def done() -> bool:
        state = history.observation(store.store_hash)
        return state is not None and state.polls > before and queues_idle(redis_client())

    wait_for(done, timeout=120, what="the duplicate price polls")


def _row_count(history: PriceHistory, store_hash: str, currency: str) -> int:
    return sum(
        len(history.history(store_hash, currency, product_id, variant_id))
        for product_id, variants in history.keys(store_hash, currency).items()
        for variant_id in variants
    )


def test_duplicate_polls_by_real_workers_record_each_price_change_once(world) -> None:
    store, history = world
    _polls(store, history, 0)
    state = history.observation(store.store_hash)
    assert state is not None
    baseline = _row_count(history, store.store_hash, state.currency)
    assert baseline > 0

    store.change_price(1, price=11.5)
    store.change_price(2, sale_price=3)  # the control panel
    store.change_price(2, sale_price=2.5)  # again before a poll: only the last is seen
    _polls(store, history, state.polls)
    state = history.observation(store.store_hash)
    assert state is not None
    _polls(store, history, state.polls)  # nothing changed since: nothing added

    now = store_now(store)
    # Copies that found the lock free after another finished polled again: more polls,
    # never more rows.
    assert price_polls_completed(history, store.store_hash)["prices"] > state.polls
    lag = price_stream_lags(history, store.store_hash, now)["prices"]
    assert lag is not None and lag < 120
    truth = store.price_history()
    assert [c["product_id"] for c in truth] == [1, 2, 2]
    product_rows = {
        pid: [
            (p.price_minor, p.sale_price_minor)
            for p in history.history(store.store_hash, state.currency, pid)
        ]
        for pid in (1, 2)
    }
    assert product_rows[1][-1] == (1150, product_rows[1][0][1])
    assert len(product_rows[1]) == 2
    assert product_rows[2][-1][1] == 250 and len(product_rows[2]) == 2
    variants_changed = sum(
        len(history.history(store.store_hash, state.currency, pid, vid)) - 1
        for pid in (1, 2)
        for vid in history.keys(store.store_hash, state.currency)[pid]
        if vid
    )
    # Each variant inherits its product's price: one change row each, once.
    assert _row_count(history, store.store_hash, state.currency) == baseline + 2 + variants_changed


def test_a_poll_killed_after_writing_its_rows_adds_nothing_when_run_again(
    store, client, index
) -> None:
    poll(client, index, store)
    store.change_price(4, price=44)
    history = PriceHistory(index.engine)
    state = history.observation(store.store_hash)
    assert state is not None
    # What a poll killed between writing its rows and moving its checkpoint left behind.
    seen = observed_prices(read_catalog(client, None), state.currency)
    written = history.record(store.store_hash, state.currency, seen, store_now(store))
    assert written >= 1
    assert history.observation(store.store_hash) == state
    again = poll(client, index, store)
    assert again.recorded == 0
    assert [p.price_minor for p in history.history(store.store_hash, state.currency, 4)][-1] == 4400
