"""Disclosures: staff keep editing the storefront's pages and settings while shoppers
order, webhooks are duplicated and dropped and workers are killed; afterwards every order's
as-of answer is held against the store's true change log.

One driver does, every 1–3 s, one of: edit a page of the main storefront, its checkout
terms or its privacy policy URL through the store's API (texts drawn from a few per
disclosure, so edits go back to earlier texts), two edits of one page a fraction of a
second apart (both inside one poll interval), or an edit whose webhook is dropped. Every
other step (every fourth in the long form) a shopper orders, until shortly before the end
(a receipt waits 30 s for its evidence). Meanwhile a second thread kills a worker node or
pool process every 5–9 s, and the driver re-sends a captured disclosure delivery now and
then, a few copies at once and, every other time, again after its dedup mark is gone (a
replay after the mark's TTL). The driver is the only writer, so no change is made while
an order is being placed.

A dropped webhook is modelled as BigCommerce loses one (reference §9.1, bigcommerce/docs
`webhooks-overview`). The hooks are the pipeline's own, as `bcrm demo` registers them, so
its looks are watched once they have run for a minute. During a hook's first minute ("can
take up to one minute to start") a drop is an edit made silently (`PUT
/admin/pages/{id}/silently`); after it, the hooks are deactivated (what BigCommerce does
once a delivery's retries are spent), the edit made silently, and the hooks activated
again as an operator would, at most every `DEACTIVATE_EVERY_S` (a plain edit otherwise),
so the long form also has stretches where bcrm watches the store and can answer exactly.
A delivery lost while its hook stays active and settled is beyond what bcrm's evidence
rule can see (its documented limit), so it is not injected.

The verdict, beyond the runner's: 0 confidently wrong answers (an `exact` naming a text
the store did not show then), a frozen receipt for every order placed (the runner's
inventory checks each receipt and every version a look saw is in the ECM exactly once).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.core import keys
from pipeline.devtools.chaos.deliveries import (
    Captured,
    DeliveryTap,
    Sender,
    place_order,
    wait_for_store_deliveries,
)
from pipeline.devtools.chaos.disclosure_truth import AnswerCheck, ChangeLog
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.scenarios.workers import killing
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.flows.disclosures.asof import order_answer
from pipeline.flows.disclosures.index import disclosure_index
from pipeline.integrations.bigcommerce import BigCommerceClient
from pipeline.runtime import clients, redis_client
from schemas.webhooks import disclosure_scopes

CHANNEL = 1
RUN_S = {False: 16.0, True: 180.0}
STEP_S = (1.0, 3.0)
# Orders stop this long before the run ends, so their receipts' evidence settles sooner.
ORDERS_STOP_S = 8.0
# Every order placed in the run is listed again by every orders poll for five minutes
# after the last one (the pollers' overlap), each a fetch the ledger skips: the long form
# orders less often, so a busy machine still finds the pipeline idle to settle.
ORDER_EVERY = {False: 2, True: 4}
KILL_S = (5.0, 9.0)
COPIES = 3
DELIVERY_WAIT_S = 30.0
# A new hook "can take up to one minute to start" (reference §9.1).
HOOK_STARTUP_S = 60.0
# Hooks are deactivated at most this often: each time, bcrm's looks are unwatched until
# the re-activated hooks have run for a minute, and the long run must also have stretches
# where they are watched (and answers can be exact) for the check to mean something.
DEACTIVATE_EVERY_S = 120.0
# How the driver's steps are drawn: an edit, two edits inside one poll interval, a dropped
# webhook, a re-sent delivery.
STEPS: dict[str, float] = {"edit": 6, "two edits": 2, "dropped": 2, "duplicate": 2}
BURST_GAP_S = 0.3


@dataclass
class Disclosure:
    """One edited disclosure: how to write it and the texts it is edited between."""

    kind: str
    subject: int
    texts: list[str]
    current: str
    shown: set[str] = field(default_factory=set)


def _pages(client: BigCommerceClient) -> list[Disclosure]:
    found = []
    for page in client.iter_pages(CHANNEL):
        body = str(page.get("body") or "")
        texts = [body, *(f"{body}\n<p>Revision {n}: amended terms.</p>" for n in (1, 2))]
        found.append(Disclosure("page", int(page["id"]), texts, body, {body}))
    return found


def _settings(client: BigCommerceClient) -> list[Disclosure]:
    link = str(client.checkout_settings(CHANNEL)["order_terms_and_conditions_link"])
    privacy = client.customer_settings(CHANNEL)["privacy_settings"]["policy_url"]
    return [
        Disclosure("checkout_terms", CHANNEL, [link, f"{link}?v=2", f"{link}?v=3"], link, {link}),
        Disclosure("privacy", CHANNEL, [privacy, f"{privacy}?v=2"], privacy, {privacy}),
    ]


@dataclass
class Driver:
    """The run's one writer: what it changed and how, for the figures and the verdict."""

    world: ChaosWorld
    account: BigCommerceClient
    tap: DeliveryTap
    sender: Sender
    disclosures: list[Disclosure]
    hooks_since: float
    done: Counter[str] = field(default_factory=Counter)
    orders: dict[int, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def _next_text(self, item: Disclosure) -> str:
        text = self.world.rng.choice([t for t in item.texts if t != item.current])
        if text in item.shown:
            self.done["edits back to an earlier text"] += 1
        item.current = text
        item.shown.add(text)
        return text

    def edit(self, item: Disclosure, silently: bool = False) -> None:
        """Through the store's API; a page `silently` through the admin API (no webhook)."""
        text = self._next_text(item)
        body: dict[str, Any]
        if item.kind == "page" and silently:
            path = f"/pages/{item.subject}/silently"
            self.world.sandbox.admin("bigcommerce", "PUT", path, {"body": text})
        elif item.kind == "page":
            self.account.request("PUT", f"/v3/content/pages/{item.subject}", body={"body": text})
        elif item.kind == "checkout_terms":
            body = {"order_terms_and_conditions_link": text}
            self.account.request("PUT", f"/v3/checkouts/settings/channels/{CHANNEL}", body=body)
        else:
            body = {"privacy_settings": {"policy_url": text}}
            self.account.request("PUT", f"/v3/customers/settings/channels/{CHANNEL}", body=body)
        self.done[f"{item.kind} edits"] += 1

    def _pages(self) -> list[Disclosure]:
        return [d for d in self.disclosures if d.kind == "page"]

    def _set_hooks(self, active: bool) -> None:
        """Every hook of the app, the tap's too: a look counts any active hook of the
        app as watching, whatever its destination."""
        for hook in list(self.account.iter_hooks()):
            self.account.request("PUT", f"/v3/hooks/{hook['id']}", body={"is_active": active})

    def dropped(self) -> None:
        """A page edit whose webhook never reaches bcrm (see the module docstring); a plain
        edit when the hooks were deactivated too recently to do it again."""
        page = self.world.rng.choice(self._pages())
        since = time.time() - self.hooks_since
        if since < HOOK_STARTUP_S:
            self.edit(page, silently=True)
            self.world.note(f"page {page.subject} edited, webhook lost: hook still starting")
        elif since < DEACTIVATE_EVERY_S:
            self.edit(page)
            return
        else:
            self._set_hooks(False)
            self.edit(page, silently=True)
            self._set_hooks(True)
            self.hooks_since = time.time()
            self.world.note(f"page {page.subject} edited while the hooks were deactivated")
        self.done["webhooks dropped"] += 1

    def two_edits(self) -> None:
        page = self.world.rng.choice(self._pages())
        self.edit(page)
        time.sleep(BURST_GAP_S)
        self.edit(page)
        self.done["two edits inside one poll interval"] += 1

    def duplicate(self) -> None:
        """Re-send a captured delivery a few times; every other time once more after its
        dedup mark is gone. The answers must be duplicates, then one enqueue at most."""
        captured = [d for d in self.tap.deliveries if d.scope.startswith("store/channel/")]
        if not captured:
            return
        delivery = self.world.rng.choice(captured)
        answers = Counter(self._send(delivery) for _ in range(COPIES))
        if answers != Counter({"200 duplicate": COPIES}):
            self.problems.append(f"re-sent {delivery.scope}: {dict(answers)}")
        self.done["deliveries re-sent"] += COPIES
        if self.done["deliveries re-sent"] % (2 * COPIES) == 0:
            redis_client().delete(keys.webhook_seen(self.world.store_hash, delivery.hash))
            answer = self._send(delivery)
            if answer not in ("200 enqueued", "200 duplicate"):
                self.problems.append(f"replayed {delivery.scope} after expiry: {answer}")
            self.done["deliveries replayed after their mark expired"] += 1

    def _send(self, delivery: Captured) -> str:
        """As the store's hook sends it: its body and the shared-secret header."""
        config = self.sender.config
        headers = {
            "Content-Type": "application/json",
            config.secret_header: config.shared_secret or "",
        }
        answer = self.sender.post(delivery.body, headers)
        return f"{answer.status} {answer.outcome}"

    def order(self) -> None:
        order_id = place_order(self.world, 1)
        self.orders[order_id] = time.time()

    def step(self, what: str) -> None:
        if what == "edit":
            self.edit(self.world.rng.choice(self.disclosures))
        elif what == "two edits":
            self.two_edits()
        elif what == "dropped":
            self.dropped()
        else:
            self.duplicate()


def drive(world: ChaosWorld, long: bool) -> list[str]:
    tap = DeliveryTap()
    kills: Counter[str] = Counter()
    scopes = disclosure_scopes(CHANNEL)
    account = clients.bigcommerce(world.store_hash)
    with tap.hooked(account, world.store_hash, scopes):
        driver = Driver(
            world, account, tap, Sender(world), [*_pages(account), *_settings(account)],
            world.processes.hooks_registered_at,
        )  # fmt: skip
        started = time.monotonic()
        with killing(world, KILL_S, kills):
            steps = 0
            while (elapsed := time.monotonic() - started) < RUN_S[long]:
                world.pause(*STEP_S)
                driver.step(world.rng.choices(list(STEPS), list(STEPS.values()))[0])
                steps += 1
                if steps % ORDER_EVERY[long] == 0 and elapsed < RUN_S[long] - ORDERS_STOP_S:
                    driver.order()
        if not wait_for_store_deliveries(world, DELIVERY_WAIT_S):
            driver.problems.append("the store's deliveries were still pending after the run")
    world.kept["orders"] = driver.orders
    world.figures.update(
        {
            "orders_placed": len(driver.orders),
            "changes": dict(driver.done),
            "kills": dict(kills),
        }
    )
    return driver.problems


def verify(world: ChaosWorld) -> list[str]:
    """Every order's as-of answer against the change log; a frozen receipt for each."""
    log = ChangeLog(world.sandbox.admin("bigcommerce", "GET", "/disclosures/changes")["changes"])
    index = disclosure_index()
    check = AnswerCheck()
    problems = []
    orders: dict[int, float] = world.kept.get("orders", {})
    for order_id, placed_at in sorted(orders.items()):
        if index.receipt(world.store_hash, order_id) is None:
            problems.append(f"order {order_id} has no disclosure receipt")
        check.judge(log, order_answer(index, world.store_hash, order_id), placed_at)
    versions = index.versions(world.store_hash)
    figures: dict[str, Any] = {
        "answers": dict(check.by_state),
        "exact_not_in_log": check.unchecked,
        "confidently_wrong": len(check.wrong),
        "texts_the_store_showed": log.distinct_texts(),
        "versions_captured": len(versions),
    }
    world.figures.update(figures)
    return problems + check.wrong


SCENARIO = Scenario(
    name="disclosures",
    injected=(
        "pages, checkout terms and privacy edited every 1–3 s (back to earlier texts, two "
        "inside one poll interval), webhooks dropped and re-sent, workers SIGKILLed every 5–9 s"
    ),
    short_orders=5,
    long_orders=50,
    drive=drive,
    verify=verify,
)
