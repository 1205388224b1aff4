"""Publish: approved change requests go to BigCommerce while the publish path breaks.

In waves (one in the short form), the maker files change requests (prices, a product
launch, a variant takedown, promotions: each on a target of its own) and the approver
approves them, beside forged approvals of each kind (`publish_plan`). The requests of a
wave are decided a group per phase, with the phase's faults on, and a phase lasts until
its group is settled (published or refused, its record declared) or a few seconds have
passed; then the phases go on in turn until the whole wave is settled. The phases:

- BigCommerce writes applied with their answer lost (the connection reset after the
  store acted: `lost_answer_rate`), a 503 storm and a 429 storm on writes, and lost
  answers and 500s together, on the catalog and promotions only, so orders are still
  archived meanwhile;
- every other phase the Content Server fails 20 % of calls (500/502/503/504 in turn)
  and answers 5 % with an HTML page, and every ticket is expired, while receipts are
  filed and requests marked;
- a random worker node or pool process SIGKILLed every 3–6 s throughout (publishing
  runs on the I/O nodes: a node killed mid-publish leaves its message unacknowledged,
  and Redis delivers it again after the visibility timeout).

The verdict, beyond the runner's: `publish_verdict` (every legitimate change applied
exactly once by the store's own write log, at its after-state live, published with one
receipt; every forged one refused for its reason, never written, one refusal record;
0 false drift refusals).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import cycle
from typing import Any

from pipeline.core import keys
from pipeline.core.counters import labelled
from pipeline.core.stages import FINAL_STATES
from pipeline.devtools.approvals_staff import ApprovalsStaff, hire
from pipeline.devtools.chaos.publish_plan import FORGERIES, Catalog, Planned, decide, file_wave
from pipeline.devtools.chaos.publish_verdict import judge
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.scenarios.ecm import ERROR_STATUSES
from pipeline.devtools.chaos.scenarios.workers import killing
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.producer import publish_key
from pipeline.runtime import clients, redis_client, services

WAVES = {False: 1, True: 6}
LEGIT_PER_WAVE = {False: 5, True: 10}
# Every kind of forgery once in the short form, three times in the long one.
FORGED_PER_WAVE = {False: len(FORGERIES), True: 2}
# The longest a phase lasts (a group's requests settled end it sooner).
PHASE_S = {False: 6.0, True: 15.0}
KILL_S = (3.0, 6.0)
# A wave that has not settled by then is left to the runner's settling (and its verdict).
WAVE_TIMEOUT_S = 300.0
# The store's writes the publish stage makes: products and variants, promotions.
FAMILIES = ["catalog", "marketing"]
# A declare retried through an ECM failing one call in five: the backoff is compressed
# as in the `ecm` scenario, so the retries fit a CI run.
BACKOFF_MAX_S = 3


@dataclass(frozen=True)
class Phase:
    what: str
    bigcommerce: dict[str, Any]
    otcs: bool


PHASES = (
    Phase("60 % of writes applied, their answers lost",
          {"lost_answer_rate": 0.6, "families": FAMILIES}, otcs=False),
    Phase("503 storm on writes (70 %)", {"error_rate": 0.7, "error_status": 503,
          "writes_only": True, "families": FAMILIES}, otcs=True),
    Phase("429 storm on writes (70 %)", {"error_rate": 0.7, "error_status": 429,
          "writes_only": True, "families": FAMILIES}, otcs=False),
    Phase("30 % of writes 500, 40 % of the rest applied with their answers lost",
          {"error_rate": 0.3, "error_status": 500, "writes_only": True,
           "lost_answer_rate": 0.4, "families": FAMILIES}, otcs=True),
)  # fmt: skip


def _otcs_faults(world: ChaosWorld, status: int) -> dict[str, Any]:
    return {
        "error_rate": 0.20,
        "error_status": status,
        "html_error_rate": 0.05,
        "seed": world.rng.randrange(2**31),
    }


def _settled(store_hash: str, batch: list[Planned]) -> bool:
    """Every request of the wave published or refused and its record filed (or, for a
    person to look at, dead-lettered), by the ledger."""
    ledger = services.ledger()
    units = ledger.get_many([publish_key(store_hash, item.change.id) for item in batch])
    receipts = []
    for unit in units:
        if unit.get("state") == "dead_lettered":
            continue
        if "done:publish" not in unit:
            return False
        receipts.append(str(json.loads(unit["done:publish"]).get("receipt", "")))
    return all(r.get("state") in FINAL_STATES for r in ledger.get_many(receipts))


class Breaker:
    """Moves the faults on, phase by phase, and clears them all at the end."""

    def __init__(self, world: ChaosWorld) -> None:
        self.world = world
        self.phases = cycle(PHASES)
        self.statuses = cycle(ERROR_STATUSES)
        self.otcs_on = False
        self.ticket_expiries = 0

    def next_phase(self, meanwhile: Callable[[], None] = lambda: None) -> None:
        """The next phase's BigCommerce faults; then, with the ECM still answering
        (people's own calls are not what is tested), `meanwhile`; then its ECM faults."""
        phase = next(self.phases)
        self.world.set_faults("bigcommerce", phase.bigcommerce, phase.what)
        if self.otcs_on:
            self.world.sandbox.admin("otcs", "DELETE", "/faults")
            self.world.note("otcs: faults cleared")
        meanwhile()
        self.otcs_on = phase.otcs
        if phase.otcs:
            expired = self.world.sandbox.admin("otcs", "POST", "/expire-tickets")["expired"]
            self.ticket_expiries += 1
            self.world.note(f"otcs: all tickets expired ({expired})")
            status = next(self.statuses)
            faults = _otcs_faults(self.world, status)
            self.world.set_faults("otcs", faults, f"20 % {status}, 5 % HTML 200")

    def clear(self) -> None:
        for system in ("bigcommerce", "otcs"):
            self.world.sandbox.admin(system, "DELETE", "/faults")
        self.world.note("bigcommerce and otcs: faults cleared")


def _publish_wave(
    world: ChaosWorld, breaker: Breaker, staff: ApprovalsStaff, batch: list[Planned], long: bool
) -> None:
    """Decide the wave's requests a group per phase, each group with its phase's faults
    already on, holding the phase until the group has settled (at most `PHASE_S`); then
    move the faults on until the whole wave has settled."""
    rules = policy()
    deadline = time.monotonic() + WAVE_TIMEOUT_S
    for group in (batch[i :: len(PHASES)] for i in range(len(PHASES))):

        def decide_group(group: list[Planned] = group) -> None:
            for item in group:
                decide(staff, item, rules)
            forged = sum(not item.legitimate for item in group)
            world.note(f"{len(group)} change requests decided, {forged} of them forged")

        breaker.next_phase(decide_group)
        _wait(world, group, time.monotonic() + PHASE_S[long])
    while not _wait(world, batch, min(deadline, time.monotonic() + PHASE_S[long])):
        if time.monotonic() >= deadline:
            return
        breaker.next_phase()


def _wait(world: ChaosWorld, batch: list[Planned], until: float) -> bool:
    """Whether `batch` settled before `until`."""
    while not _settled(world.store_hash, batch):
        if time.monotonic() >= until:
            return False
        time.sleep(0.5)
    return True


def drive(world: ChaosWorld, long: bool) -> list[str]:
    store_hash, rules = world.store_hash, policy()
    client = clients.bigcommerce(store_hash)
    staff = hire(clients.otcs(), rules)
    catalog, forgeries = Catalog(client), cycle(FORGERIES)
    planned: list[Planned] = []
    kills: Counter[str] = Counter()
    breaker = Breaker(world)
    for _ in range(WAVES[long]):
        forged = [next(forgeries) for _ in range(FORGED_PER_WAVE[long])]
        batch = file_wave(
            staff, client, store_hash, catalog, LEGIT_PER_WAVE[long], forged, len(planned)
        )
        world.note(f"{len(batch)} change requests filed by {staff.maker.name}")
        try:
            with killing(world, KILL_S, kills):
                _publish_wave(world, breaker, staff, batch, long)
        finally:
            breaker.clear()
        planned += batch
    world.kept["planned"] = planned
    world.figures.update(kills=dict(kills), ticket_expiries=breaker.ticket_expiries)
    return []


def _otcs_answers(world: ChaosWorld) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for route in world.sandbox.admin("otcs", "GET", "/counters").values():
        totals.update({status: int(n) for status, n in route["status"].items()})
    return dict(sorted(totals.items()))


def verify(world: ChaosWorld) -> list[str]:
    """`publish_verdict.judge` on the emulators' own records, plus the run's figures."""
    store_hash = world.store_hash
    verdict = judge(
        world.kept.get("planned", []),
        world.sandbox.admin("bigcommerce", "GET", "/writes")["writes"],
        world.sandbox.admin("otcs", "GET", "/inventory")["nodes"],
        clients.bigcommerce(store_hash),
        clients.otcs(),
        store_hash,
    )
    retries = redis_client().hget(keys.METRICS_RETRIES, labelled("approvals", "publish"))
    world.figures.update(
        verdict.figures,
        bigcommerce_refusals=world.sandbox.admin("bigcommerce", "GET", "/counters/refusals"),
        otcs_answers=_otcs_answers(world),
        publish_retries=int(retries or 0),
    )
    return verdict.problems


SCENARIO = Scenario(
    name="publish",
    injected=(
        "approved changes published while BigCommerce writes lose their answers or meet "
        "503/429 storms, OTCS fails 20 % of calls while receipts are filed, workers are "
        "SIGKILLed every 3–6 s; forged approvals of 4 kinds among them"
    ),
    short_orders=3,
    long_orders=30,
    drive=drive,
    verify=verify,
    env={"BCRM_RETRY_BACKOFF_MAX": str(BACKOFF_MAX_S)},
    redrive_suffices=True,
)
