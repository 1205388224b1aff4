"""Fault injection: latency, errors, connection resets and how an exhausted quota shows up.

Faults are drawn from a seeded RNG so a failing test run can be replayed. Families are the
route groups a client sees (`orders`, `refunds`, `catalog`, `marketing`, `content`,
`settings`, `webhooks`); `"*"` applies to all of them.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

RATE_LIMIT_MODES = ("standard", "headerless", "as_500")
FAMILIES = (
    "orders",
    "refunds",
    "catalog",
    "marketing",
    "content",
    "settings",
    "customers",
    "webhooks",
)


@dataclass
class Latency:
    """Uniform delay between `min_ms` and `max_ms`, plus an occasional `spike_ms` tail.

    The delay happens before auth and the quota, like network or queueing delay: a request
    sent late in one window may be counted in the next, which a fleet-wide governor has to
    survive.
    """

    min_ms: float = 0.0
    max_ms: float = 0.0
    spike_rate: float = 0.0
    spike_ms: float = 0.0

    def draw(self, rng: random.Random) -> float:
        delay = rng.uniform(self.min_ms, max(self.min_ms, self.max_ms))
        if self.spike_rate and rng.random() < self.spike_rate:
            delay += self.spike_ms
        return delay / 1000


@dataclass
class Faults:
    """Runtime fault configuration.

    `rate_limit_mode`: how quota exhaustion is answered: `standard` (429 with headers),
    `headerless` (429 without any rate-limit header, like platform load), `as_500` (the
    occasional "rate limit surfacing as 500").
    `error_rate`/`error_status`: random failures (a 429 drawn this way carries no rate-limit
    headers: that is how platform load looks); `reset_rate`: random connection resets;
    `lost_answer_rate`: a write (POST, PUT, DELETE) that is applied and logged, then its
    connection reset before the answer leaves (a timeout or reset after the store acted,
    which a publisher must re-read rather than repeat); all restricted to `families` when
    given, and errors and resets to writes when `writes_only` (a storm on the publish
    stage's writes while its reads, and the archiving of orders, go through).
    """

    latency: dict[str, Latency] = field(default_factory=dict)
    error_rate: float = 0.0
    error_status: int = 500
    reset_rate: float = 0.0
    lost_answer_rate: float = 0.0
    families: list[str] | None = None
    writes_only: bool = False
    rate_limit_mode: str = "standard"

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Faults:
        """Build from the admin API's JSON; unknown keys or values are a ValueError."""
        known = {
            "latency",
            "error_rate",
            "error_status",
            "reset_rate",
            "lost_answer_rate",
            "families",
            "writes_only",
            "rate_limit_mode",
        }
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        latency = {
            family: spec if isinstance(spec, Latency) else Latency(**spec)
            for family, spec in (raw.get("latency") or {}).items()
        }
        bad = set(latency) - {*FAMILIES, "*"}
        if bad:
            raise ValueError(f"unknown route families: {sorted(bad)}")
        faults = cls(**{**raw, "latency": latency})
        if faults.rate_limit_mode not in RATE_LIMIT_MODES:
            raise ValueError(f"rate_limit_mode must be one of {RATE_LIMIT_MODES}")
        rates = (faults.error_rate, faults.reset_rate, faults.lost_answer_rate)
        if not all(0 <= rate <= 1 for rate in rates):
            raise ValueError("rates must be within [0, 1]")
        return faults

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def applies(self, family: str) -> bool:
        return self.families is None or family in self.families

    def strikes(self, family: str, write: bool) -> bool:
        """Whether an injected error or reset may hit this request."""
        return self.applies(family) and (write or not self.writes_only)

    def delay(self, family: str, rng: random.Random) -> float:
        spec = self.latency.get(family) or self.latency.get("*")
        return spec.draw(rng) if spec else 0.0
