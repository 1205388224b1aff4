"""Broker: redis-server SIGKILLed mid-run and restarted on its AOF.

A SIGKILL skips SHUTDOWN's final flush, but every write Redis acknowledged was already
written to the AOF (`appendfsync everysec` only delays the fsync, which matters for a
machine crash, not a process crash), so queues, the unacknowledged hash, the ledger and the
checkpoints come back as they were. Workers, beat and the receiver lose their connections
and must reconnect on their own; a task a worker had taken off a queue in the instant of
the crash can be lost with the connection, which the runner's reconciliation shows.
"""

from __future__ import annotations

import time

from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.devtools.settling import look
from pipeline.runtime import redis_client

OUTAGES = {False: 1, True: 3}
DOWN_S = (2.0, 6.0)
SUPERVISE_ROUNDS = 3


def _wait_for_declarations(world: ChaosWorld, count: int) -> None:
    """Kill the broker mid-run: once the pipeline has declared `count` records, if still
    busy. An order owes four to five documents, so steps of one per order spread the
    outages over the run."""
    while world.busy() and len(look(world.store_hash).documents["declared"]) < count:
        time.sleep(0.5)


def _supervise(world: ChaosWorld) -> None:
    """Restart the nodes the outage ended, as the deployment's supervisor would, until
    the whole fleet answers again."""
    fleet = world.processes.fleet
    for _ in range(SUPERVISE_ROUNDS):
        for worker in fleet.revive():
            world.note(f"{worker.group} node exited after the outage; supervisor restarted it")
        try:
            fleet.wait_ready()
            return
        except RuntimeError:
            continue
    fleet.wait_ready()


def drive(world: ChaosWorld, long: bool) -> list[str]:
    outages = OUTAGES[long]
    for outage in range(outages):
        _wait_for_declarations(world, world.orders * (outage + 1))
        if not world.busy():
            break
        port = world.redis.port
        world.redis.kill()
        down = world.rng.uniform(*DOWN_S)
        world.note(f"SIGKILL redis-server (port {port}); down for {down:.1f} s")
        time.sleep(down)
        world.redis.start(port=port)
        world.note("redis-server restarted on its AOF")
        redis_client().connection_pool.disconnect()  # this process's pooled connections died
        _supervise(world)
    world.figures["broker_outages"] = outages
    return []


SCENARIO = Scenario(
    name="broker",
    injected="redis-server SIGKILLed mid-run (1× short, 3× long), 2–6 s down, restarted on AOF",
    short_orders=40,
    long_orders=1000,
    drive=drive,
    redrive_suffices=True,
)
