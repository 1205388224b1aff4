"""The store's request quota: a fixed window shared by every client of the store.

BigCommerce refreshes the quota every window (150 per 30 s on Standard/Plus) and shares it
between all apps on the store, so there is one limiter per store, not per token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

UNLIMITED_QUOTA = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    quota: int
    left: int
    window_ms: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        """The four headers sent on every response; a refused request also gets
        `X-Retry-After` in seconds, as clients use either it or Reset-Ms."""
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(self.left),
        }
        if not self.allowed:
            headers["X-Retry-After"] = str(max(1, math.ceil(self.reset_ms / 1000)))
        return headers


class RateLimiter:
    """Fixed window opened by the first request after the previous one expired.

    `quota=None` (or 0) means the Unlimited Rate Plan: headers are still sent, with a quota
    too large to matter, so header-driven governors keep working.
    """

    def __init__(
        self,
        quota: int | None = 150,
        window_ms: int = 30_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.configure(quota, window_ms)

    def configure(self, quota: int | None, window_ms: int) -> None:
        self.quota = quota or None
        self.window_ms = window_ms
        self._window_start = -math.inf
        self._used = 0

    def _roll(self) -> float:
        now = self.clock()
        if (now - self._window_start) * 1000 >= self.window_ms:
            self._window_start = now
            self._used = 0
        return now

    def _reset_ms(self, now: float) -> int:
        return max(0, math.ceil(self.window_ms - (now - self._window_start) * 1000))

    def take(self) -> Decision:
        """Spend one request unit, or refuse when the window's quota is gone."""
        now = self._roll()
        if self.quota is None:
            return Decision(True, UNLIMITED_QUOTA, UNLIMITED_QUOTA, self.window_ms, 0)
        allowed = self._used < self.quota
        if allowed:
            self._used += 1
        return Decision(
            allowed, self.quota, self.quota - self._used, self.window_ms, self._reset_ms(now)
        )

    def peek(self) -> Decision:
        """Current state without spending (for responses refused before the quota applies)."""
        now = self._roll()
        if self.quota is None:
            return Decision(True, UNLIMITED_QUOTA, UNLIMITED_QUOTA, self.window_ms, 0)
        left = self.quota - self._used
        return Decision(True, self.quota, left, self.window_ms, self._reset_ms(now))
