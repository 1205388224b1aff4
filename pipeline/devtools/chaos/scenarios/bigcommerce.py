"""BigCommerce: the store API refuses and fails while orders are fetched, on a tight quota.

Phases of a few seconds each, in turn while the pipeline is busy: a 429 storm (header-less
429s, which is how platform load looks), the quota answered header-less when we spend it,
and 500s with the quota answered as a 500 (a rate limit in disguise). The store's quota
is small enough that the fleet would blow through it without the rate governor; the
emulator counts the refusals our own requests caused (quota spent) apart from the
injected ones, and more than a handful of the former is a problem of this scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle
from typing import Any

from pipeline.core import keys
from pipeline.core.counters import labelled
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.runtime import redis_client

# 20 requests a second: fetching an order takes ~6 calls and 8 fetch threads send
# dozens a second, so the quota binds during the fetch and the governor sets the pace
# (while the runner's two reconciliations, ~5 calls per order each, stay affordable).
QUOTA = 20
WINDOW_MS = 1000
# The governor cannot see another process's request in flight across a window reset,
# and learns of a header-less refusal only by its status: each such slip costs one
# refusal and pauses the fleet until the window ends, after which it is in step again.
# A few per run are the price of sharing one quota without a lock per request; a storm
# of them means the governor is not governing.
SELF_CAUSED_MAX = 5
PHASE_S = {False: (3.0, 5.0), True: (15.0, 30.0)}


@dataclass(frozen=True)
class Phase:
    what: str
    faults: dict[str, Any]


PHASES = (
    Phase("429 storm (header-less, platform load)", {"error_rate": 0.3, "error_status": 429}),
    Phase(
        "quota answered header-less, 10 % 429s",
        {"rate_limit_mode": "headerless", "error_rate": 0.1, "error_status": 429},
    ),
    Phase(
        "20 % 500s on orders and refunds, quota answered as 500",
        {
            "rate_limit_mode": "as_500",
            "error_rate": 0.2,
            "error_status": 500,
            "families": ["orders", "refunds"],
        },
    ),
)


def _refusals(world: ChaosWorld) -> tuple[int, int, dict[str, int]]:
    """(self-caused, injected, by cause) from the emulator's refusal counters."""
    by_cause: dict[str, int] = world.sandbox.admin("bigcommerce", "GET", "/counters/refusals")
    own = sum(n for cause, n in by_cause.items() if cause.startswith("quota "))
    injected = sum(n for cause, n in by_cause.items() if cause.startswith("injected "))
    return own, injected, dict(sorted(by_cause.items()))


def drive(world: ChaosWorld, long: bool) -> list[str]:
    phases: Iterator[Phase] = cycle(PHASES)

    def next_phase() -> None:
        phase = next(phases)
        world.set_faults("bigcommerce", phase.faults, phase.what)

    first = next(phases)
    with world.faults("bigcommerce", first.faults, first.what):
        world.while_busy(*PHASE_S[long], next_phase)
    own, injected, by_cause = _refusals(world)
    world.figures.update(
        self_caused_refusals=own,
        injected_refusals=injected,
        refusals_by_cause=by_cause,
        # The verdict's retries count document records; the faults hit the fetch stage.
        fetch_retries=int(
            redis_client().hget(keys.METRICS_RETRIES, labelled("commerce", "fetch")) or 0
        ),
    )
    if own > SELF_CAUSED_MAX:
        return [
            f"the governor let {own} requests through a spent quota (at most {SELF_CAUSED_MAX})"
        ]
    return []


SCENARIO = Scenario(
    name="bigcommerce",
    injected=(
        "BigCommerce: 429 storms, header-less 429s, 500s and a rate limit as 500, "
        f"in phases, on a {QUOTA} per {WINDOW_MS} ms quota"
    ),
    short_orders=20,
    long_orders=400,
    drive=drive,
    quota=QUOTA,
    window_ms=WINDOW_MS,
)
