"""An archived store for end-to-end tests: both emulators in-process, real workers on
the session's Redis, the store polled into the pipeline and waited for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.names import store_prefixes
from pipeline.core.queues import queues_idle
from pipeline.flows.commerce.pollers import Checkpoints, poll_orders
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from tests.support import configured, wait_for, world_env

OTCS_PASSWORD = "world-pw"
FINAL = ("declared", "dead_lettered")


@dataclass
class World:
    store: BigCommerceEmulator
    ecm: OTCSEmulator
    client: BigCommerceClient
    otcs: OTCSClient
    fleet: Fleet
    env: dict[str, str]

    @property
    def store_hash(self) -> str:
        return self.store.store_hash

    def documents(self) -> list[dict[str, Any]]:
        """The store's documents in the ECM, from the emulator's inventory."""
        marker = f"Order {self.store_hash}-"
        nodes = self.ecm.inventory()["nodes"]
        return [n for n in nodes if n["type"] == 144 and marker in n["path"]]

    def bcrm(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `bcrm` as an operator would, configured for this world."""
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def configured(self) -> AbstractContextManager[None]:
        """This process configured as the world's workers are (see tests.support)."""
        return configured(self.env)

    def archive(self) -> None:
        """Poll the store and wait until everything it owes is settled."""
        poll_orders(self.client, Checkpoints(redis_client()), self.store_hash)
        wait_for(lambda: settled(self.store_hash), timeout=300, what="the store archived")


def settled(store_hash: str) -> bool:
    """Every fetch finished, and every document each fetch fanned out declared or
    dead-lettered, with no message queued or unacknowledged. The documents come from the
    fetches' own results, so one a worker has just taken off a queue is never missed."""
    ledger = services.ledger()
    fetches = ledger.states_with_prefix(store_prefixes(store_hash)[0])
    if not fetches["fetched"] or fetches["pending"]:
        return False
    owed: set[str] = set()
    for record in ledger.get_many(sorted(fetches["fetched"])):
        owed.update(json.loads(record["done:fetch"])["documents"])
    states = [r.get("state") for r in ledger.get_many(sorted(owed))]
    if any(state not in FINAL for state in states):
        return False
    return queues_idle(redis_client())


@contextmanager
def archived_world(
    redis_url: str,
    log_dir: Path,
    orders: int,
    seed: int,
    settings: Mapping[str, str] | None = None,
    **store_options: Any,
) -> Iterator[World]:
    """A unique store of `orders` orders, archived into a fresh ECM by real workers;
    `settings` are extra `BCRM_` variables of the workers, `store_options` go to the
    BigCommerce emulator (a client secret, plain-HTTP hooks)."""
    store_hash = uuid.uuid4().hex[:10]
    with (
        BigCommerceEmulator(
            orders=orders, seed=seed, quota=None, store_hash=store_hash, **store_options
        ) as store,
        OTCSEmulator(password=OTCS_PASSWORD) as ecm,
    ):
        env = {**world_env(store, ecm, OTCS_PASSWORD), **(settings or {})}
        fleet = Fleet(redis_url, log_dir=log_dir, extra_env=env)
        fleet.start()
        try:
            client = BigCommerceClient(store.base_url, store.access_token, governor=None)
            otcs = OTCSClient(ecm.base_url, ecm.username, OTCS_PASSWORD)
            world = World(store, ecm, client, otcs, fleet, env)
            world.archive()
            yield world
        finally:
            fleet.stop()
