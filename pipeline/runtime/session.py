"""The Redis a command talks to, for as long as the command runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.runtime.embedded_redis import EmbeddedRedis
from pipeline.runtime.settings import Settings


@contextmanager
def redis_session(config: Settings) -> Iterator[str]:
    """Yield the Redis URL: `BCRM_REDIS_URL`, else the embedded server for the data dir
    (reused if running; otherwise started now, on the persisted data, and stopped after)."""
    if config.redis_url:
        yield config.redis_url
        return
    embedded = EmbeddedRedis(config.data_path)
    url = embedded.ensure()
    try:
        yield url
    finally:
        embedded.stop()


@contextmanager
def connected(config: Settings) -> Iterator[str]:
    """A Redis session exported as BCRM_REDIS_URL, so Celery (configured at import) and
    every child process use the same server as this command."""
    with redis_session(config) as url:
        os.environ["BCRM_REDIS_URL"] = url
        yield url
