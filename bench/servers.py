"""What the emulator benchmarks share: each server in its own process (its GIL is not the
client's), a timed load of concurrent requests after a warm-up, and the median of
alternating rounds, so a burst of load from other processes on a shared machine hits the
emulator and its baseline alike and does not decide the figure."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")
START_TIMEOUT_S = 120


@dataclass
class SpawnedServer:
    """A server process; `info` is what its target put on the queue once listening."""

    info: dict[str, Any]
    stop: Any
    process: Any

    def close(self) -> None:
        self.stop.set()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


@contextmanager
def spawned(*targets: Callable[[Any, Any], None]) -> Iterator[list[SpawnedServer]]:
    """Run each `target(queue, stop)` in a spawned process; stop them all afterwards."""
    context = multiprocessing.get_context("spawn")
    servers: list[SpawnedServer] = []
    try:
        for target in targets:
            queue, stop = context.Queue(), context.Event()
            process = context.Process(target=target, args=(queue, stop), daemon=True)
            process.start()
            servers.append(SpawnedServer(queue.get(timeout=START_TIMEOUT_S), stop, process))
        yield servers
    finally:
        for server in servers:
            server.close()


async def timed_load(
    one: Callable[[], Awaitable[None]], total: int, concurrency: int, warmup: int
) -> tuple[float, list[float]]:
    """`warmup` calls of `one` untimed, then `total` calls from `concurrency` concurrent
    workers; returns the wall seconds of the timed part and each call's latency."""
    latencies: list[float] = []

    async def worker(count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            await one()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker(warmup // concurrency + 1) for _ in range(concurrency)))
    latencies.clear()
    share, extra = divmod(total, concurrency)
    started = time.perf_counter()
    await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))
    return time.perf_counter() - started, latencies


def latency_ms(latencies: Sequence[float]) -> dict[str, float]:
    """Median and 95th percentile in milliseconds."""
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


def median_by(runs: list[R], rate: Callable[[R], float]) -> R:
    """The run with the median rate."""
    return sorted(runs, key=rate)[len(runs) // 2]
