"""What the pipeline benchmarks (P3, P4, P7) share: a private Redis, the emulators, a
worker fleet, waiting for the ledger to settle, and printing and saving results.

Each benchmark runs against its own embedded Redis so that its ledger, queues and memory
figures are its own, and so that purging after a run can never touch anyone else's data.
The Redis URL goes into the environment before anything imports `pipeline.celery`, which
reads `celeryconfig` once.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS_DIR = ROOT / "bench" / "results"
POLL_S = 0.2

from pipeline.runtime.embedded_redis import private_redis  # noqa: E402,F401  (for the benchmarks; after ROOT)

if TYPE_CHECKING:
    from pipeline.runtime.fleet import Fleet  # imports the Celery app, which reads BCRM_REDIS_URL


@dataclass(frozen=True)
class Emulators:
    """Both emulators, each in its own process (their GIL is not ours), and their admin
    side doors for faults and resets."""

    store_hash: str
    bigcommerce_admin: str
    otcs_admin: str
    env: dict[str, str]

    def set_latency(self, bigcommerce_ms: float, otcs_ms: float) -> None:
        """Fixed latency on every BigCommerce route and every Content Server call."""
        bc = {"latency": {"*": {"min_ms": bigcommerce_ms, "max_ms": bigcommerce_ms}}}
        otcs = {"latency_min_ms": otcs_ms, "latency_max_ms": otcs_ms}
        for url, body in ((self.bigcommerce_admin, bc), (self.otcs_admin, otcs)):
            requests.put(f"{url}/faults", json=body, timeout=30).raise_for_status()

    def reset_ecm(self) -> None:
        """An empty repository again, so a second mode declares rather than adopts; the
        store's archive index rows go too, since they name nodes of the ECM just emptied
        (whose ids the emulator hands out again) and declare links to what they name."""
        from pipeline.runtime import services

        requests.post(f"{self.otcs_admin}/reset", timeout=60).raise_for_status()
        services.archive_index().replace_store(self.store_hash, {}, {})


@contextmanager
def emulators(log_dir: Path, orders: int) -> Iterator[Emulators]:
    """A seeded store without a quota and an empty ECM, as `bcrm demo` starts them; their
    settings are exported into this process (and so into the fleet it starts)."""
    from pipeline.devtools.demo_sandbox import sandbox

    with sandbox(log_dir, orders=orders, quota=0, window_ms=30_000) as world:
        yield Emulators(
            world.store_hash, world.bigcommerce["admin_url"], world.otcs["admin_url"], world.env
        )


@contextmanager
def fleet(
    redis_url: str, log_dir: Path, groups: tuple[str, ...] = ("io", "cpu")
) -> Iterator[Fleet]:
    """Worker nodes as `bcrm demo` runs them, ready (answering a ping) when this yields."""
    from pipeline.runtime.fleet import Fleet

    workers = Fleet(redis_url, log_dir=log_dir)
    try:
        workers.start(groups)
        yield workers
    finally:
        workers.stop()


def queue_depths() -> dict[str, int]:
    """Messages waiting per stage queue, plus those delivered but not yet acknowledged."""
    from pipeline.core import queues
    from pipeline.runtime import redis_client

    return queues.queue_depths(redis_client())


def queues_idle() -> bool:
    return not any(queue_depths().values())


def wait_settled(done: Callable[[dict[str, int]], bool], timeout_s: float) -> dict[str, int]:
    """Block until the ledger's counts per state satisfy `done` and the queues are empty;
    return the counts. The ledger is this benchmark's alone, so its counts are this run's."""
    from pipeline.runtime import services

    ledger = services.ledger()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        counts = ledger.counts()
        if done(counts) and queues_idle():
            return counts
        time.sleep(POLL_S)
    raise TimeoutError(f"not settled after {timeout_s:.0f}s: {ledger.counts()}")


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (emulators, Redis, worker nodes, pool children),
    from /proc; a process that has exited is simply not there."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def tree_cpu_s() -> float:
    """CPU seconds (user + system) spent so far by this process and everything it started,
    recycled pool processes included: on a 2-core host, CPU per record is what bounds how
    much a fleet can gain."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in descendants(os.getpid()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, and of reaped children
    return total / ticks


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Rows as aligned columns under their keys."""
    columns = list(rows[0])
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(title)
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """bench/results/<name>.json with the host it was measured on."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    host = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    path.write_text(json.dumps({**payload, "host": host}, indent=2))
    print(f"results: {path}")
    return path
