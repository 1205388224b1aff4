"""Fixtures: a fresh emulator per test (its counters and tickets are per test), clients
logged in through a memory or a Redis ticket store with a key of their own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from pipeline.integrations.otcs import MemoryTicketStore, OTCSClient, RedisTicketStore, TicketStore
from pipeline.runtime import redis_client
from sandbox.otcs import OTCSEmulator
from sandbox.otcs.context import UploadSettings

PASSWORD = "client-test-pw"
PART_SIZE = 64 * 1024
ENTERPRISE = 2000


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def logins(emulator: OTCSEmulator) -> int:
    """How many times anyone called POST /v1/auth on this emulator."""
    return emulator.request_counters().get("POST /v1/auth", {}).get("count", 0)


def calls(emulator: OTCSEmulator, route: str) -> int:
    return emulator.request_counters().get(route, {}).get("count", 0)


def make_client(
    emulator: OTCSEmulator, store: TicketStore | None = None, **options: object
) -> OTCSClient:
    return OTCSClient(
        emulator.base_url,
        emulator.username,
        PASSWORD,
        ticket_store=store or MemoryTicketStore(),
        chunk_threshold_bytes=int(options.pop("chunk_threshold_bytes", 2 * PART_SIZE)),
        **options,  # type: ignore[arg-type]
    )


def redis_store(scope: str) -> RedisTicketStore:
    return RedisTicketStore(redis_client(), scope)


@pytest.fixture
def emulator() -> Iterator[OTCSEmulator]:
    with OTCSEmulator(password=PASSWORD, uploads=UploadSettings(part_size=PART_SIZE)) as running:
        yield running


@pytest.fixture
def client(emulator: OTCSEmulator) -> Iterator[OTCSClient]:
    with make_client(emulator) as opened:
        yield opened


@pytest.fixture
def scope() -> Iterator[str]:
    """A ticket-store scope of this test's own; its keys are removed afterwards."""
    name = unique("test")
    yield name
    store = redis_store(name)
    redis_client().delete(store.ticket_key, store.lock_key)


@pytest.fixture
def new_client(emulator: OTCSEmulator) -> Iterator[Callable[..., OTCSClient]]:
    opened: list[OTCSClient] = []

    def factory(store: TicketStore | None = None, **options: object) -> OTCSClient:
        opened.append(make_client(emulator, store, **options))
        return opened[-1]

    yield factory
    for each in opened:
        each.close()


@pytest.fixture
def folder(client: OTCSClient) -> int:
    return client.create_folder(ENTERPRISE, unique("folder"))
