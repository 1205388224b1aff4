"""ECM: Content Server answers badly while records are declared.

Every OTCS call may get a 5xx (20 %), a 200 whose body is an HTML restart page instead of
JSON (5 % of the rest), or a latency spike longer than the client's HTTP timeout (5 %):
the client gives up while the server goes on and completes the call, so a POST whose
answer was lost has still created its node and the stage's retry must adopt it, not
upload a second copy. On top of that every ticket is expired every 30 s (5 s in the short
form), so the fleet keeps meeting 401s and logging in again through its shared ticket.
"""

from __future__ import annotations

from collections import Counter
from itertools import cycle
from typing import Any

from pipeline.core import keys
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.runtime import redis_client

# The clients' HTTP timeout is the task soft time limit (pipeline/runtime/clients.py); 15 s by
# default would make every injected timeout cost a declare 15 s. 3 s keeps a timeout
# affordable in CI and is still far above a healthy call on a busy machine; soft < hard
# < visibility timeout (25 s) as the settings require.
SOFT_LIMIT_S = 3
HARD_LIMIT_S = 5
# A declare meets a fault in most attempts here, and the stage's backoff doubles up to
# BCRM_RETRY_BACKOFF_MAX (10 s): compressed to 3 s, the same attempts fit a CI run.
BACKOFF_MAX_S = 3
# The spike outlasts the client's timeout by 2 s, then the server handles the call.
SPIKE_MS = (SOFT_LIMIT_S + 2) * 1000
# Each expiry tick also moves the injected 5xx on: gateways and restarts answer all four.
ERROR_STATUSES = (503, 500, 502, 504)
TICKETS_EXPIRE_S = {False: 5.0, True: 30.0}


def _faults(world: ChaosWorld, status: int) -> dict[str, Any]:
    return {
        "error_rate": 0.20,
        "error_status": status,
        "html_error_rate": 0.05,
        # Spikes only apply with some latency on: a realistic 0–20 ms.
        "latency_max_ms": 20,
        "latency_spike_rate": 0.05,
        "latency_spike_ms": SPIKE_MS,
        "seed": world.rng.randrange(2**31),
    }


def _answers(world: ChaosWorld) -> dict[str, int]:
    """What the ECM answered, by status, over all routes (the emulator's counters)."""
    totals: Counter[str] = Counter()
    for route in world.sandbox.admin("otcs", "GET", "/counters").values():
        totals.update({status: int(n) for status, n in route["status"].items()})
    return dict(sorted(totals.items()))


def _adopted_records() -> int:
    """Records whose declare found its node already there (an earlier run's upload)."""
    return sum(int(n) for n in redis_client().hvals(keys.METRICS_ADOPTED))


def drive(world: ChaosWorld, long: bool) -> list[str]:
    statuses = cycle(ERROR_STATUSES)
    expiries = 0

    def tick() -> None:
        nonlocal expiries
        expired = world.sandbox.admin("otcs", "POST", "/expire-tickets")["expired"]
        expiries += 1
        world.note(f"otcs: all tickets expired ({expired})")
        status = next(statuses)
        world.set_faults("otcs", _faults(world, status), f"5xx now {status}")

    with world.faults(
        "otcs", _faults(world, next(statuses)), "20 % 5xx, 5 % HTML 200, 5 % timeouts"
    ):
        world.while_busy(TICKETS_EXPIRE_S[long], TICKETS_EXPIRE_S[long], tick)
    world.figures["ticket_expiries"] = expiries
    world.figures["otcs_answers"] = _answers(world)
    world.figures["records_adopted"] = _adopted_records()
    return []


SCENARIO = Scenario(
    name="ecm",
    injected=(
        "OTCS: 20 % 5xx, 5 % timeouts (the call completes later), 200s with HTML bodies, "
        "all tickets expired every 30 s (5 s short)"
    ),
    short_orders=15,
    long_orders=400,
    drive=drive,
    env={
        "BCRM_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT_S),
        "BCRM_TASK_TIME_LIMIT": str(HARD_LIMIT_S),
        "BCRM_RETRY_BACKOFF_MAX": str(BACKOFF_MAX_S),
    },
    redrive_suffices=True,
)
