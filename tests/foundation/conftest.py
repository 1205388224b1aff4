"""Fixtures for the foundation tests: real worker processes on the session's Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fakeredis
import pytest

from pipeline.runtime.fleet import Fleet


@pytest.fixture
def fake_redis() -> fakeredis.FakeRedis:
    """An in-process Redis with Lua, for unit tests of the stores only."""
    return fakeredis.FakeRedis()


def _fleet(redis_url: str, log_dir: Path) -> Fleet:
    return Fleet(redis_url, log_dir=log_dir, log_level="WARNING")


@pytest.fixture(scope="module")
def fleet(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """Both worker groups, shared by the tests of one module."""
    workers = _fleet(redis_url, tmp_path_factory.mktemp("worker-logs"))
    workers.start()
    yield workers
    workers.stop()


@pytest.fixture
def own_fleet(redis_url: str, tmp_path: Path) -> Iterator[Fleet]:
    """A fleet a test may kill; started by the test itself."""
    workers = _fleet(redis_url, tmp_path / "worker-logs")
    yield workers
    workers.stop()
