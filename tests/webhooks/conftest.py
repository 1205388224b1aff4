"""Fixtures: receivers on free loopback ports against the session's real Redis, and a
store hash of each test's own whose messages and marks are removed afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from pipeline.integrations.webhooks.config import WebhookConfig, signing_key
from tests.webhooks.support import SECRET, WHSEC, RunningReceiver, forget_store, new_store_hash


@pytest.fixture
def rclient(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def store(rclient: redis.Redis) -> Iterator[str]:
    store_hash = new_store_hash()
    yield store_hash
    forget_store(rclient, store_hash)


@pytest.fixture
def make_receiver(redis_url: str) -> Iterator[Callable[..., RunningReceiver]]:
    """Start receivers with config overrides (shared secret on by default)."""
    started: list[RunningReceiver] = []

    def make(redis: str | None = None, **overrides: Any) -> RunningReceiver:
        overrides.setdefault("shared_secret", SECRET)
        receiver = RunningReceiver(WebhookConfig(**overrides), redis or redis_url)
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.close()


@pytest.fixture
def receiver(make_receiver: Callable[..., RunningReceiver]) -> RunningReceiver:
    return make_receiver(max_body_bytes=2048, read_timeout_s=1.0)


@pytest.fixture
def signing_receiver(make_receiver: Callable[..., RunningReceiver]) -> RunningReceiver:
    """Signature required, no shared secret: the Standard Webhooks path alone."""
    return make_receiver(shared_secret=None, signing_keys=(signing_key(WHSEC),))
