"""The Redis a command talks to, for as long as the command runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from pipeline.runtime.embedded_redis import EmbeddedRedis
from pipeline.runtime.settings import Settings, mask_url

ANSWER_TIMEOUT_S = 5.0


class RedisUnusableError(RuntimeError):
    """`BCRM_REDIS_URL` names something that does not answer as Redis right now."""


def check_redis(url: str) -> None:
    """PING `url` once, within a few seconds, and say in words what is wrong with it:
    a worker, beat or receiver started on a Redis that is not there would otherwise retry
    forever, or fail later with a protocol traceback."""
    shown = f"BCRM_REDIS_URL {mask_url(url)}"
    client = redis.Redis.from_url(
        url, socket_timeout=ANSWER_TIMEOUT_S, socket_connect_timeout=ANSWER_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        raise RedisUnusableError(f"{shown}: authentication failed ({exc})") from None
    except redis.TimeoutError:
        raise RedisUnusableError(
            f"{shown}: no answer within {ANSWER_TIMEOUT_S:.0f} s; is it a Redis server?"
        ) from None
    except redis.ConnectionError as exc:
        raise RedisUnusableError(f"{shown}: cannot connect ({exc})") from None
    except redis.ResponseError as exc:
        raise RedisUnusableError(f"{shown}: Redis refused PING ({exc})") from None
    except redis.RedisError:
        raise RedisUnusableError(
            f"{shown}: something answers there, but not as Redis; check the host and port"
        ) from None
    finally:
        client.close()


@contextmanager
def redis_session(config: Settings) -> Iterator[str]:
    """Yield the Redis URL: `BCRM_REDIS_URL`, else the embedded server for the data dir
    (reused if running; otherwise started now, on the persisted data, and stopped after)."""
    if config.redis_url:
        check_redis(config.redis_url)
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
