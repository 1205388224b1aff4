"""Fixtures for the client tests: the real emulator in-process, the session's real Redis,
and a governor key of its own for every test so no test sees another's quota state."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from pipeline.integrations.bigcommerce import BigCommerceClient, RateGovernor
from sandbox.bigcommerce import BigCommerceEmulator

SEED_ORDERS = 300


@pytest.fixture(scope="session")
def emulator() -> Iterator[BigCommerceEmulator]:
    """Shared read-only store with an unlimited quota; quota tests make their own."""
    with BigCommerceEmulator(orders=SEED_ORDERS, seed=11, quota=None) as emu:
        yield emu


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., BigCommerceEmulator]]:
    started: list[BigCommerceEmulator] = []

    def make(**kwargs: Any) -> BigCommerceEmulator:
        kwargs.setdefault("orders", 20)
        kwargs.setdefault("store_hash", uuid.uuid4().hex[:10])
        emu = BigCommerceEmulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(redis_url)
    yield conn
    conn.close()


@pytest.fixture
def make_governor(redis_conn: redis.Redis) -> Callable[..., RateGovernor]:
    """Governors on one fresh key per test; call again for another "process" on it."""
    key = f"test-{uuid.uuid4().hex[:12]}"

    def make(**kwargs: Any) -> RateGovernor:
        return RateGovernor(redis_conn, key, **kwargs)

    return make


@pytest.fixture
def client(
    emulator: BigCommerceEmulator, make_governor: Callable[..., RateGovernor]
) -> Iterator[BigCommerceClient]:
    api = BigCommerceClient(emulator.base_url, emulator.access_token, governor=make_governor())
    yield api
    api.close()
