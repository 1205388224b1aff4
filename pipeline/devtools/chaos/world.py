"""The throwaway world one chaos scenario runs in, and the handles it breaks things with."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from pipeline.core.queues import queues_idle
from pipeline.devtools.demo_sandbox import PipelineProcesses, Sandbox, sandbox
from pipeline.devtools.settling import poll_runs
from pipeline.runtime import redis_client
from pipeline.runtime.embedded_redis import EmbeddedRedis, private_redis
from pipeline.runtime.log import log_event


@dataclass
class ChaosWorld:
    """Redis, the emulators and the pipeline's processes of one run, plus a record of
    every fault injected (one line each, shown in the report)."""

    run_dir: Path
    redis: EmbeddedRedis
    sandbox: Sandbox
    processes: PipelineProcesses
    rng: random.Random
    orders: int
    injected: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    # What a scenario's drive leaves for its verify (orders placed, when).
    kept: dict[str, Any] = field(default_factory=dict)

    @property
    def store_hash(self) -> str:
        return self.sandbox.store_hash

    def note(self, what: str) -> None:
        """Record an injected fault."""
        self.injected.append(f"{time.strftime('%H:%M:%S')} {what}")
        log_event("chaos.injected", what=what)

    def busy(self) -> bool:
        """Work is queued or in flight (or the store was not polled yet). A broker that
        is down counts as busy: its work is not done, only out of reach. Records open
        with nothing in flight are not work: their message is gone, which the runner's
        stall check and reconciliation deal with."""
        try:
            return poll_runs(self.store_hash) < 1 or not queues_idle(redis_client())
        except redis.ConnectionError:
            return True

    def pause(self, low_s: float, high_s: float) -> None:
        time.sleep(self.rng.uniform(low_s, high_s))

    def while_busy(self, low_s: float, high_s: float, act: Callable[[], None]) -> None:
        """The rhythm of a scenario that keeps breaking things: while work is queued or in
        flight, wait `low_s`..`high_s` seconds, then `act` once more."""
        while self.busy():
            self.pause(low_s, high_s)
            act()

    def set_faults(self, system: str, faults: dict[str, Any], what: str) -> None:
        """Replace an emulator's fault settings ("bigcommerce" or "otcs") and note it."""
        self.sandbox.admin(system, "PUT", "/faults", faults)
        self.note(f"{system}: {what} {faults}")

    @contextmanager
    def faults(self, system: str, faults: dict[str, Any], what: str) -> Iterator[None]:
        """An emulator's faults on for the block and cleared however it ends: a scenario
        must hand the runner fault-free emulators to settle and judge on."""
        self.set_faults(system, faults, what)
        try:
            yield
        finally:
            self.sandbox.admin(system, "DELETE", "/faults")
            self.note(f"{system}: faults cleared")


@contextmanager
def chaos_world(
    run_dir: Path, orders: int, quota: int, window_ms: int, env: dict[str, str], seed: int
) -> Iterator[ChaosWorld]:
    """Start a fresh embedded Redis (exported as BCRM_REDIS_URL for this process and every
    child), both emulators and the pipeline's processes; stop them all afterwards."""
    log_dir = run_dir / "logs"
    with private_redis(run_dir) as server, sandbox(log_dir, orders, quota, window_ms) as world:
        processes = PipelineProcesses.for_sandbox(world, server.url, log_dir, env)
        try:
            yield ChaosWorld(run_dir, server, world, processes, random.Random(seed), orders)
        finally:
            processes.stop()
