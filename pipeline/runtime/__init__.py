"""Where this process finds its Redis: `BCRM_REDIS_URL`, else the embedded server.

Kept apart from the Celery app so commands that must start Redis first (`bcrm demo`,
`bcrm worker`) and plain `celery -A pipeline ...` resolve it the same way.
"""

from __future__ import annotations

from functools import lru_cache

import redis

from pipeline.runtime.embedded_redis import EmbeddedRedis
from pipeline.runtime.settings import Settings, load_settings


class NoRedisError(RuntimeError):
    """No Redis configured and no embedded one running."""


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def redis_url(config: Settings | None = None) -> str:
    """The configured URL, or the URL of the running embedded server for the data dir."""
    config = config or settings()
    if config.redis_url:
        return config.redis_url
    embedded = EmbeddedRedis(config.data_path)
    if embedded.find_running():
        return embedded.url
    raise NoRedisError(
        "no BCRM_REDIS_URL set and no embedded Redis running under "
        f"{config.data_path}; start one with `bcrm redis start` or set BCRM_REDIS_URL"
    )


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    """One connection pool per process; redis-py resets it safely after fork."""
    return redis.Redis.from_url(redis_url(), decode_responses=False, health_check_interval=30)
