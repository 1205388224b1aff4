"""A fresh emulated store, its client, an archive index and polling on the store's own
clock (which tests move forward by days)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.flows.campaigns.prices.poll import PricePoll, poll_prices
from pipeline.index.database import make_engine, upgrade
from pipeline.index.prices import PriceHistory
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator

DAY = 86400


@pytest.fixture
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(
        orders=2, seed=5, quota=None, store_hash=uuid.uuid4().hex[:10]
    ) as emulator:
        yield emulator


@pytest.fixture
def client(store: BigCommerceEmulator) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.base_url, store.access_token, governor=None) as api:
        yield api


@pytest.fixture
def index(tmp_path: Path) -> Iterator[ArchiveIndex]:
    engine = make_engine(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    upgrade(engine)
    yield ArchiveIndex(engine)
    engine.dispose()


def store_now(store: BigCommerceEmulator) -> datetime:
    return datetime.fromtimestamp(store.store.now(), UTC)


def poll(client: BigCommerceClient, index: ArchiveIndex, store: BigCommerceEmulator) -> PricePoll:
    """One poll at the store's time."""
    return poll_prices(client, PriceHistory(index.engine), store.store_hash, store_now(store))
