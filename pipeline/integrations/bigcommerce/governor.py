"""One request quota per store, shared by every worker process through Redis.

BigCommerce counts requests per store in fixed windows (150 per 30 s on Standard/Plus)
and answers every request with how much of the window is left (reference §2). A worker
alone cannot keep a fleet under that quota, so each process asks the governor before
every request and reports every answer back to it:

- `acquire()` grants a request while the window's count is below quota minus a small
  reserve (1 %, at least 1). The count is the larger of the grants we made in it and the
  server's own count (`Quota - Requests-Left`), so other apps on the store are seen.
- The window's end is an upper bound: every answer's receive time + `Reset-Ms` is one,
  and the smallest is kept. Only after it does the count restart, and then at the number
  of requests still in flight, since they may land in the new window; an answer showing
  one landed in the old window gives its unit back.
- No grant in the last `guard_ms` of a window (it would likely land in the next one), and
  with nothing known (first use, or idle for a whole window) one probe goes first.
- A 429 pauses the fleet for the longer of `X-Retry-After` and `Reset-Ms`; a header-less
  429 pauses it for `backoff_base_ms`, doubling per 429 in a row up to `backoff_max_ms`; a
  500 with no requests left (a rate limit in disguise) holds it until the window ends.

Both steps are Lua scripts on Redis TIME, so N processes on any hosts act as one client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import redis

from pipeline.core import keys
from pipeline.integrations.bigcommerce.errors import RateLimited
from pipeline.integrations.bigcommerce.governor_scripts import ACQUIRE, OBSERVE
from pipeline.runtime.log import log_event

_QUOTA = "x-rate-limit-requests-quota"
_LEFT = "x-rate-limit-requests-left"
_WINDOW = "x-rate-limit-time-window-ms"
_RESET = "x-rate-limit-time-reset-ms"
_RETRY_AFTER = "x-retry-after"
_STATE_TTL_MS = 86_400_000


def governor_keys(store_hash: str) -> list[str]:
    """State hash and in-flight set; the hash tag keeps both on one Redis Cluster slot."""
    base = keys.rate_governor(store_hash)
    return [base, f"{base}:inflight"]


def tokens_left(client: redis.Redis, store_hash: str) -> int | None:
    """Requests the governor would still count into this store's current window (quota
    minus used; the whole quota once the window has ended; none while paused after a
    429), read without granting anything. None while it knows no quota yet."""
    pipe = client.pipeline(transaction=False)
    pipe.time()
    pipe.hmget(governor_keys(store_hash)[0], "quota", "end", "used", "paused")
    (seconds, micros), (quota, end, used, paused) = pipe.execute()
    if quota is None:
        return None
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    if now_ms < int(paused or 0):
        return 0
    if now_ms >= int(end or 0):
        return int(quota)
    return max(0, int(quota) - int(used or 0))


class RateGovernor:
    """The fleet-wide gate in front of one store's API quota.

    Contract: every `acquire()` returns a ticket, and the request it allowed is reported
    with exactly one `observe(ticket, headers, status)` (status None when no answer came):
    the ticket is how an answer is matched to the window its request was counted in.
    """

    def __init__(
        self,
        redis_client: redis.Redis,
        store_hash: str,
        *,
        default_quota: int = 150,
        default_window_ms: int = 30_000,
        guard_ms: int = 100,
        reserve_fraction: float = 0.01,
        max_wait_s: float = 10.0,
        backoff_base_ms: int = 1_000,
        backoff_max_ms: int = 60_000,
        lease_ms: int = 30_000,
        poll_ms: int = 20,
    ) -> None:
        self.store_hash = store_hash
        self.keys = governor_keys(store_hash)
        self.max_wait_s = max_wait_s
        self._acquire_args = (
            default_quota,
            default_window_ms,
            guard_ms,
            reserve_fraction,
            lease_ms,
            poll_ms,
            _STATE_TTL_MS,
        )
        self._backoff = (backoff_base_ms, backoff_max_ms, _STATE_TTL_MS)
        self._acquire = redis_client.register_script(ACQUIRE)
        self._observe = redis_client.register_script(OBSERVE)

    def acquire(self) -> int:
        """Block until the fleet may send one more request to this store; its ticket.

        Raises RateLimited (with the wait as `retry_after`) instead of blocking past
        `max_wait_s`, so a task gives its worker slot back during a long pause; keep it
        below the task's soft time limit.
        """
        deadline = time.monotonic() + self.max_wait_s
        while True:
            wait_ms, ticket = self._acquire(keys=self.keys, args=self._acquire_args)
            if int(wait_ms) <= 0:
                return int(ticket)
            wait_s = int(wait_ms) / 1000
            if wait_s > deadline - time.monotonic():
                raise RateLimited(f"store {self.store_hash}: fleet must wait", wait_s)
            time.sleep(wait_s)

    def observe(self, ticket: int, headers: Mapping[str, str], status: int | None) -> float | None:
        """Report the answer to a granted request; the seconds the fleet now pauses."""
        lowered = {k.lower(): v for k, v in headers.items()}
        limits = _rate_headers(lowered)
        args = (
            ticket,
            1 if limits else 0,
            *(limits or (0, 0, 0, 0)),
            _retry_after_ms(lowered),
            status or 0,
            *self._backoff,
        )
        wait_ms = int(self._observe(keys=self.keys, args=args))
        if wait_ms <= 0:
            return None
        log_event(
            "bigcommerce.rate_limited",
            logging.WARNING,
            store_hash=self.store_hash,
            status=status,
            wait_ms=wait_ms,
            headerless=limits is None,
        )
        return wait_ms / 1000


def _rate_headers(headers: Mapping[str, str]) -> tuple[int, int, int, int] | None:
    """(quota, window ms, left, reset ms), or None when the answer did not carry them."""
    try:
        return (
            int(headers[_QUOTA]),
            int(headers[_WINDOW]),
            int(headers[_LEFT]),
            int(headers[_RESET]),
        )
    except (KeyError, ValueError):
        return None


def _retry_after_ms(headers: Mapping[str, str]) -> int:
    try:
        return max(0, round(float(headers.get(_RETRY_AFTER, "0")) * 1000))
    except ValueError:
        return 0
