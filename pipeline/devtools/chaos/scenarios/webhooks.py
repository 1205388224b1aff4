"""Webhooks: the same delivery ×5, out of order, replayed hours later → one record each.

New orders are placed, shipped and refunded twice in rounds while the store is archived,
so each order has several events and several source versions. A tap (a second
destination for the same hooks) keeps the exact bodies BigCommerce sent, which is what
its own retries re-send. Every delivery is then sent again 5 times, all copies shuffled
together (a refund's event can come before its order's creation), in two waves:

- at once, like BigCommerce's retries after a lost 2xx: every copy must be a duplicate;
- "hours later": BigCommerce retries for ~48 h and a replay can come after our dedup mark
  is gone. The marks are deleted from Redis to stand in for their TTL expiring (waiting out
  a shortened BCRM_WEBHOOK_DEDUP_TTL would race the first wave). Each copy is re-signed with
  the message id the hook used and a `webhook-timestamp` up to 4 minutes old: old but
  within the receiver's 5-minute tolerance, as a retry signed when it is sent always is.
  The body keeps its `created_at` and `hash`, as BigCommerce's re-sends do. Exactly one
  copy per event may be enqueued, and the fetch it starts must not add a record.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pipeline.core import keys
from pipeline.devtools.chaos.deliveries import (
    SHORT_ORDERS,
    WEBHOOK_ENV,
    Answer,
    Captured,
    DeliveryTap,
    Sender,
    delivered_hashes,
    place_order,
    receiver_hook_ids,
    signing_hooks,
    wait_for_store_deliveries,
)
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.flows.commerce.intake import order_event_ref
from pipeline.runtime import redis_client, services
from schemas.webhooks import REGISTERED_SCOPES, load_order_event

COPIES = 5
SENDERS = 4
DELIVERY_WAIT_S = 30.0
# Between rounds of changes, wait at most this long for the fleet to fetch the state the
# round made, so later rounds supersede it (earlier versions in the ECM). Only a pause:
# under load it runs out, and the verdict holds either way.
ROUND_SETTLE_S = 20.0
# How old a re-sent delivery's `webhook-timestamp` may be, as a share of the tolerance.
STALE_SHARE = 0.8
FETCH_POLL_S = 0.2


def _round(world: ChaosWorld, tap: DeliveryTap, what: str, problems: list[str]) -> None:
    """After one round of changes: every delivery answered, then (within ROUND_SETTLE_S)
    the fetch each started done, so the next round supersedes this round's version."""
    if not wait_for_store_deliveries(world, DELIVERY_WAIT_S):
        problems.append(f"{what}: deliveries still pending (refused, waiting to retry)")
    world.note(what)
    ledger = services.ledger()
    fetches = [_fetch_key(world.store_hash, d) for d in tap.deliveries]
    deadline = time.monotonic() + ROUND_SETTLE_S
    while time.monotonic() < deadline:
        if all(ledger.before_stage(key, "fetch")[0] is not None for key in fetches):
            return
        time.sleep(FETCH_POLL_S)


def _fetch_key(store_hash: str, delivery: Captured) -> str:
    """The ledger key of the fetch a delivery starts (as the receiver enqueues it)."""
    event = load_order_event(delivery.payload)
    return str(order_event_ref(store_hash, event.order_id, event.scope, event.hash)["record_key"])


def _change_the_store(
    world: ChaosWorld, tap: DeliveryTap, orders: int, problems: list[str]
) -> list[int]:
    """Place, ship, refund a little, then refund again (all of the first order)."""
    placed = [place_order(world, quantity) for quantity in range(1, orders + 1)]
    _round(world, tap, f"placed orders {placed}", problems)
    for order_id in placed:
        world.sandbox.admin("bigcommerce", "POST", f"/orders/{order_id}/shipments", {})
    _round(world, tap, f"shipped orders {placed}", problems)
    for order_id in placed:
        world.sandbox.admin("bigcommerce", "POST", f"/orders/{order_id}/refunds", {"amount": 1.0})
    _round(world, tap, f"refunded 1.00 on orders {placed}", problems)
    world.sandbox.admin("bigcommerce", "POST", f"/orders/{placed[0]}/refunds", {})
    for order_id in placed[1:]:
        world.sandbox.admin("bigcommerce", "POST", f"/orders/{order_id}/refunds", {"amount": 2.0})
    _round(world, tap, f"refunded order {placed[0]} in full, 2.00 on the others", problems)
    return placed


def _sent_early(order: list[Captured], events: list[Captured]) -> int:
    """How many events went out (first copy) after an event the store emitted later."""
    first: dict[str, int] = {}
    for position, delivery in enumerate(order):
        first.setdefault(delivery.hash, position)
    positions = [first[e.hash] for e in events]
    return sum(1 for i, p in enumerate(positions) if any(q < p for q in positions[i + 1 :]))


@dataclass
class Wave:
    """The answers to one wave of copies, and how shuffled it went out."""

    answers: list[tuple[str, Answer]]
    sent_late: int

    @property
    def counts(self) -> Counter[str]:
        return Counter(f"{a.status} {a.outcome}" for _, a in self.answers)

    def enqueued(self, event_hash: str) -> int:
        return sum(1 for h, a in self.answers if h == event_hash and a.outcome == "enqueued")


def _wave(world: ChaosWorld, sender: Sender, events: list[Captured]) -> Wave:
    """Send every event COPIES times, all copies shuffled together, from SENDERS threads,
    each signed with its hook's message id and an old-but-valid timestamp."""
    copies = [e for e in events for _ in range(COPIES)]
    world.rng.shuffle(copies)
    oldest = int(sender.config.timestamp_tolerance_s * STALE_SHARE)
    ages = [world.rng.randint(0, oldest) for _ in copies]

    def send(item: tuple[Captured, int]) -> tuple[str, Answer]:
        delivery, age = item
        stamp = int(time.time()) - age
        headers = sender.headers(delivery.body, message_id=delivery.message_id, timestamp=stamp)
        return delivery.hash, sender.post(delivery.body, headers)

    with ThreadPoolExecutor(SENDERS) as pool:
        answers = list(pool.map(send, zip(copies, ages, strict=True)))
    return Wave(answers, _sent_early(copies, events))


def _forget_marks(events: list[Captured], store_hash: str) -> int:
    """Delete the receiver's dedup marks of these events: their TTL, run out early."""
    return int(redis_client().delete(*(keys.webhook_seen(store_hash, e.hash) for e in events)))


def drive(world: ChaosWorld, long: bool) -> list[str]:
    problems: list[str] = []
    sender = Sender(world)
    tap = DeliveryTap()
    with signing_hooks(world) as account, tap.hooked(account, world.store_hash, REGISTERED_SCOPES):
        _change_the_store(world, tap, 8 if long else 3, problems)
        hook_ids = receiver_hook_ids(account, world)
        events = list({d.hash: d for d in tap.deliveries}.values())
    delivered = delivered_hashes(world, hook_ids)
    if {e.hash for e in events} != delivered:
        problems.append(
            f"the tap caught {len(events)} events, the receiver acknowledged {len(delivered)}"
        )

    now = _wave(world, sender, events)
    world.note(f"re-sent {len(events)} deliveries x{COPIES} at once, shuffled")
    forgotten = _forget_marks(events, world.store_hash)
    world.note(f"deleted {forgotten} dedup marks (their TTL expiring: hours later)")
    later = _wave(world, sender, events)
    world.note(f"re-sent {len(events)} deliveries x{COPIES} after the marks expired, shuffled")

    sent = COPIES * len(events)
    if now.counts != Counter({"200 duplicate": sent}):
        problems.append(f"retries while marked: {sent} duplicates expected, got {now.counts}")
    if set(later.counts) - {"200 enqueued", "200 duplicate"}:
        problems.append(f"replays after expiry: only 200s expected, got {later.counts}")
    wrong = [e.hash for e in events if later.enqueued(e.hash) != 1]
    if wrong:
        problems.append(f"replays after expiry: {len(wrong)} events not enqueued exactly once")
    total = now.counts + later.counts
    world.figures.update(
        {
            "events": len(events),
            "events_by_scope": dict(Counter(e.scope for e in events)),
            "deliveries_sent": 2 * sent,
            "accepted": sum(n for k, n in total.items() if k.startswith("200 ")),
            "enqueued": total["200 enqueued"],
            "deduplicated": total["200 duplicate"],
            "dedup_marks_expired": forgotten,
            "sent_after_a_later_event": now.sent_late + later.sent_late,
        }
    )
    return problems


SCENARIO = Scenario(
    name="webhooks",
    injected="each store delivery re-sent x5 shuffled, at once and after its dedup mark expired",
    short_orders=SHORT_ORDERS,
    long_orders=200,
    drive=drive,
    env=WEBHOOK_ENV,
)
