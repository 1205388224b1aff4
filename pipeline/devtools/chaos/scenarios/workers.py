"""Workers: a random worker process is SIGKILLed every few seconds and restarted.

Half the time it is a whole node (main process and pool at once: nobody is left to
re-send its tasks, so Redis redelivers them after the visibility timeout), half the time
one prefork pool process (the node sees it die and re-sends the task at once).
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld


def _pool_children(pid: int) -> list[int]:
    """The node's pool processes (Linux keeps each task's children in /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in children.read_text().split()]
    except OSError:
        return []


def kill_one(world: ChaosWorld, kills: Counter[str]) -> None:
    fleet = world.processes.fleet
    victim = world.rng.choice(fleet.workers)
    children = _pool_children(victim.process.pid)
    if children and world.rng.random() < 0.5:
        pid = world.rng.choice(children)
        os.kill(pid, signal.SIGKILL)
        kills["pool process"] += 1
        world.note(f"SIGKILL pool process {pid} of {victim.group} node")
        return
    fleet.kill(victim)
    kills[f"{victim.group} node"] += 1
    world.note(f"SIGKILL {victim.group} node {victim.node_name}; restarting it")
    fleet.start_group(victim.group)
    fleet.wait_ready()


@contextmanager
def killing(world: ChaosWorld, every_s: tuple[float, float], kills: Counter[str]) -> Iterator[None]:
    """While the block runs, a worker node or pool process SIGKILLed every `every_s`
    seconds from a thread of its own (for scenarios whose own driver is busy)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(world.rng.uniform(*every_s)):
            kill_one(world, kills)

    killer = threading.Thread(target=run, name="chaos-killer", daemon=True)
    killer.start()
    try:
        yield
    finally:
        stop.set()
        killer.join()


def drive(world: ChaosWorld, long: bool) -> list[str]:
    kills: Counter[str] = Counter()
    world.while_busy(2.0, 5.0, lambda: kill_one(world, kills))
    world.figures["kills"] = dict(kills)
    return []


SCENARIO = Scenario(
    name="workers",
    injected="a random worker node or pool process SIGKILLed every 2–5 s, node restarted",
    short_orders=50,
    long_orders=2000,
    drive=drive,
    redrive_suffices=True,
)
