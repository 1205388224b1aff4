"""Cases: a helpdesk's case deliveries duplicated and reordered, cases about orders bcrm
has not archived yet, disputes raised in the store, Content Server failing the calls that
apply holds, links and relations, and workers SIGKILLed, all while the store is archived.

The driver opens a case every 1–3 s (for 10 s, and at least one of each kind; 150 s in
the long form), cycling through five kinds: about an order placed that instant (never
seen by bcrm) and one of the seed; held and closed with its hold released; held and left
open; closed without a hold; and an order disputed in the store (status 13: bcrm opens a
held `dispute` case), whose customer then writes an order message. A helpdesk case is an
opening delivery (with an attachment), a message or two and, for closed kinds, a closing
one, each a full header as `POST /cases` wants it. Every delivery is sent 1–3 times, the
copies of a case shuffled (every other case reversed outright: its close first, then its
message, its opening last) and sent from four threads, so copies race each other.
Meanwhile a worker node or pool process is SIGKILLed every 5–9 s, and Content Server
answers 10 % of the hold, cross-reference and workspace-relation calls with a 503 and 5 %
with a 200 whose body is an HTML error page, until the queues are idle (at most 15 s
after the last delivery; 60 s long).

The verdict, beyond the runner's inventory (every case document exactly once): each case
in the archive index as the driver made it (orders, every message once, every attachment
once, closed or open, hold in force or released), and `case_files`: one workspace per
case, every record of its orders linked once, every record of a held case's orders on
hold exactly once, no hold left anywhere on a case closed with release.
"""

from __future__ import annotations

import base64
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.devtools.case_files import check_case_files
from pipeline.devtools.chaos.deliveries import place_order, wait_for_store_deliveries
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.scenarios.workers import killing
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.devtools.helpdesk import Answer, CaseHeader, Helpdesk, attachment, message
from pipeline.flows.commerce.documents import OrderStatus
from pipeline.index.cases import CaseState
from pipeline.runtime import clients, services
from schemas.cases import CLOSED

RUN_S = {False: 10.0, True: 150.0}
STEP_S = (1.0, 3.0)
KILL_S = (5.0, 9.0)
COPIES = (1, 3)
SENDERS = 4
DELIVERY_WAIT_S = 30.0
# The faults' routes: what applying a hold, a link and a relation calls (reference §7.4,
# §7.5, §8), listing and removing included.
HOLD_ROUTES = [
    "GET /v1/holds", "GET /v2/holds", "POST /v1/holds",
    "GET /v1/nodes/{id}/holds", "POST /v1/nodes/{id}/holds",
    "DELETE /v1/nodes/{id}/holds/{hold_id}",
    "GET /v1/nodes/{id}/xrefs", "POST /v1/nodes/{id}/xrefs",
    "GET /v2/businessworkspaces/{id}/relateditems",
    "POST /v2/businessworkspaces/{id}/relateditems",
]  # fmt: skip
# Settling a case file is about ten of these calls in one attempt (a link and the hold
# for each record of its orders it does not have yet): at 10 % 503s and 5 % HTML pages
# most attempts meet a fault and are retried, and a declare rarely runs out of retries
# (a dead letter the runner replays).
ERROR_RATE = 0.10
# The faults stay on after the last delivery while work is queued, at most this long.
FAULTS_AFTER_S = {False: 15.0, True: 60.0}
# An order placed first: its disclosure receipt waits 30 s for its evidence, which the
# run's settling waits for.
KINDS = ("new order", "held, released at closure", "held, open", "closed, no hold", "dispute")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class Expected:
    """A case as the driver made it: what the archive index must hold in the end."""

    orders: tuple[int, ...]
    messages: set[str] = field(default_factory=set)
    attachments: int = 0
    closed: bool = False
    hold: bool = False
    released: bool = False


@dataclass
class Driver:
    world: ChaosWorld
    helpdesk: Helpdesk
    seeded: list[int]
    cases: dict[str, Expected] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def _orders(self, n: int) -> tuple[int, ...]:
        return tuple(sorted(self.world.rng.sample(self.seeded, n)))

    def helpdesk_case(self, number: int, kind: str) -> None:
        """Plan one helpdesk case of `kind`, then send its deliveries' copies shuffled."""
        case_id = f"HD-{number}"
        if kind == "new order":
            orders = tuple(sorted({place_order(self.world, 1), *self._orders(1)}))
        else:
            orders = self._orders(self.world.rng.randint(1, 2))
        hold = kind.startswith("held")
        opened = datetime.now(UTC)
        header = CaseHeader(
            self.world.store_hash, case_id, orders, opened, "complaint", "chaos", hold
        )
        texts = [message(f"m{i}", "customer", opened + timedelta(minutes=i), "…") for i in (1, 2)]
        photo = attachment(f"{case_id}.png", "image/png", PNG)
        deliveries = [header.delivery("open", [], [photo]), header.delivery("pending", texts[:1])]
        expected = Expected(orders, {"m1"}, 1, hold=hold)
        if kind in ("held, released at closure", "closed, no hold"):
            released = kind.startswith("held")
            deliveries.append(header.delivery("closed", texts[1:], release_hold=released))
            expected.messages.add("m2")
            expected.closed, expected.released = True, released
        self.cases[case_id] = expected
        copies = [d for d in deliveries for _ in range(self.world.rng.randint(*COPIES))]
        if number % 2:
            copies.reverse()
            self.done["cases delivered in reverse (close, message, opening)"] += 1
        else:
            self.world.rng.shuffle(copies)
        self.done[f"{kind} cases"] += 1
        self._send_all(copies)

    def _send_all(self, copies: list[dict[str, Any]]) -> None:
        with ThreadPoolExecutor(SENDERS) as pool:
            answers: list[Answer] = list(pool.map(self.helpdesk.send, copies))
        for delivery, answer in zip(copies, answers, strict=True):
            self.answers[f"{answer.status} {answer.outcome}"] += 1
            if not answer.accepted:
                self.problems.append(
                    f"case {delivery['case_id']} ({delivery['status']}): "
                    f"{answer.status} {answer.outcome}"
                )
        self.done["deliveries sent"] += len(copies)

    def dispute(self) -> None:
        """A customer disputes a seeded order in the store, then writes about it."""
        free = [o for o in self.seeded if f"dispute-{o}" not in self.cases]
        if not free:
            return
        order_id = self.world.rng.choice(free)
        admin = self.world.sandbox.admin
        disputed = {"status_id": OrderStatus.DISPUTED}
        admin("bigcommerce", "PUT", f"/orders/{order_id}/status", disputed)
        admin("bigcommerce", "POST", f"/orders/{order_id}/messages", {"message": "…"})
        self.cases[f"dispute-{order_id}"] = Expected((order_id,), hold=True)
        self.done["dispute cases"] += 1


def _hold_faults(world: ChaosWorld) -> dict[str, Any]:
    return {
        "error_rate": ERROR_RATE,
        "error_status": 503,
        "html_error_rate": ERROR_RATE / 2,
        "routes": HOLD_ROUTES,
        "seed": world.rng.randrange(2**31),
    }


def _answers_on_faulted_routes(world: ChaosWorld) -> dict[str, int]:
    """What Content Server answered on the faulted routes, by status (an HTML error page
    counts as a 200)."""
    counters = world.sandbox.admin("otcs", "GET", "/counters")
    totals: Counter[str] = Counter()
    for route in HOLD_ROUTES:
        totals.update({s: int(n) for s, n in counters.get(route, {}).get("status", {}).items()})
    return dict(sorted(totals.items()))


def _seeded_orders(world: ChaosWorld) -> list[int]:
    """Seeded orders not already Disputed (a seeded dispute opens its own case)."""
    client = clients.bigcommerce(world.store_hash)
    return [
        int(o["id"])
        for o in client.iter_orders(include=())
        if o["status_id"] != OrderStatus.DISPUTED
    ]


def drive(world: ChaosWorld, long: bool) -> list[str]:
    helpdesk = Helpdesk(world.processes.webhook_url, world.processes.env)
    driver = Driver(world, helpdesk, _seeded_orders(world))
    kills: Counter[str] = Counter()
    with (
        world.faults("otcs", _hold_faults(world), "hold, link and relation calls failing"),
        killing(world, KILL_S, kills),
    ):
        started, number = time.monotonic(), 0
        while time.monotonic() - started < RUN_S[long] or number < len(KINDS):
            kind = KINDS[number % len(KINDS)]
            number += 1
            if kind == "dispute":
                driver.dispute()
            else:
                driver.helpdesk_case(number, kind)
            world.pause(*STEP_S)
        if not wait_for_store_deliveries(world, DELIVERY_WAIT_S):
            driver.problems.append("the store's deliveries were still pending after the run")
        until = time.monotonic() + FAULTS_AFTER_S[long]
        while world.busy() and time.monotonic() < until:
            world.pause(0.5, 1.0)
    world.kept["cases"] = driver.cases
    world.figures.update(
        {
            "cases_opened": len(driver.cases),
            "changes": dict(driver.done),
            "answers": dict(driver.answers),
            "otcs_hold_link_relation_answers": _answers_on_faulted_routes(world),
            "kills": dict(kills),
        }
    )
    return driver.problems


def _as_found(state: CaseState) -> Expected:
    return Expected(
        tuple(state.order_ids),
        {m.id for m in state.messages},
        len(state.attachments),
        state.status == CLOSED,
        state.hold,
        state.hold_released,
    )


def verify(world: ChaosWorld) -> list[str]:
    """Each case in the index as the driver made it; every case file against the ECM."""
    index = services.archive_index()
    problems = []
    expected_cases: dict[str, Expected] = world.kept.get("cases", {})
    for case_id, expected in sorted(expected_cases.items()):
        state = index.cases.case(world.store_hash, case_id)
        if state is None:
            problems.append(f"case {case_id}: not in the archive index")
            continue
        found = _as_found(state)
        if found != expected:
            problems.append(f"case {case_id}: {found}, expected {expected}")
    check = check_case_files(world.sandbox.otcs["admin_url"], world.store_hash)
    figures = check.to_json()
    del figures["case_files"]
    world.figures["case_files"] = figures
    return problems + check.problems


SCENARIO = Scenario(
    name="cases",
    injected=(
        "helpdesk case deliveries sent 1–3 times, shuffled or reversed, from 4 threads; cases "
        "about orders placed that instant; disputes in the store; 10 % 503s and 5 % HTML 200s "
        "on OTCS hold, link and relation calls; workers SIGKILLed every 5–9 s"
    ),
    short_orders=8,
    long_orders=100,
    drive=drive,
    verify=verify,
    # Disputes open cases here whatever the caller's environment says (the test suite
    # turns it off for every other test).
    env={"BCRM_CASES_OPEN_ON_DISPUTE": "true"},
    redrive_suffices=True,
)
