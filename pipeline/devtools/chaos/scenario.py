"""What a chaos scenario is: a name, what it injects, its sizes, and the code that breaks
things while the pipeline archives the store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pipeline.devtools.chaos.world import ChaosWorld

# The demo's compressed rate-limit window: the governor works as it would against a real
# store, at 150 requests per second instead of per 30 s.
QUOTA = 150
WINDOW_MS = 1000


@dataclass(frozen=True)
class Scenario:
    """`drive(world, long)` injects faults while the store is archived and returns the
    scenario's own problems (e.g. a webhook answered with the wrong status). It must leave
    the emulators fault-free and every process it killed running again when it returns."""

    name: str
    injected: str
    short_orders: int
    long_orders: int
    drive: Callable[[ChaosWorld, bool], list[str]]
    env: Mapping[str, str] = field(default_factory=dict)
    quota: int = QUOTA
    window_ms: int = WINDOW_MS
    # Poison data: a dead letter with its reason is a correct outcome, not one to replay.
    dead_letters_expected: bool = False
    # Faults that lose messages but not what the store or the ECM holds (killed workers, a
    # killed broker, a failing ECM): re-drive must bring everything back by itself, so a
    # record reconciliation had to repair is a failure of the run.
    redrive_suffices: bool = False
