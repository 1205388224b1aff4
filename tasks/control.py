"""Control tasks (queue `control`): pollers, monthly and nightly jobs run by beat, and the
re-drive of lost messages. Not stages (they own no record), but retried by the control
retry policy and counted like one (`pipeline.core.stage.ControlTask`)."""

import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from pipeline.core import keys, redrive
from pipeline.core.stage import ControlTask, control_task
from pipeline.flows.approvals import watch
from pipeline.flows.approvals.producer import poll_change_requests
from pipeline.flows.campaigns import ecm_poll
from pipeline.flows.campaigns import look as promotion_look
from pipeline.flows.campaigns.prices import poll as price_poll
from pipeline.flows.commerce.pollers import POLLERS, Checkpoints
from pipeline.flows.disclosures import intake, look, receipts
from pipeline.flows.disclosures.index import disclosure_index
from pipeline.flows.fulfilment import tax_summaries
from pipeline.flows.recalls import storefront, takedown
from pipeline.flows.recalls import sync as recall_sync
from pipeline.index import retire
from pipeline.index.prices import PriceHistory
from pipeline.ops import reconcile
from pipeline.records import fixity
from pipeline.runtime import clients, redis_client, services, settings
from pipeline.runtime.log import log_event


def _poll(store_hash: str, resource: str) -> int:
    """One poll per store and resource at a time, even if a tick outlives its interval.
    The lock lives as long as a task may (the visibility timeout): a poller killed mid-poll
    must not hold polling up for longer than Redis would take to redeliver its work."""
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.poll_lock(store_hash, resource), timeout=ttl)
    if not lock.acquire(blocking=False):
        return 0
    try:
        poll = POLLERS[resource]
        result = poll(clients.bigcommerce(store_hash), Checkpoints(redis_client()), store_hash)
        # The poll records its completion (count and time) itself: see Checkpoints.polled.
        return result.enqueued
    finally:
        lock.release()


@control_task("bcrm.control.poll_orders", flow="commerce")
def poll_store_orders(store_hash: str) -> int:
    return _poll(store_hash, "orders")


@control_task("bcrm.control.poll_refunds", flow="commerce")
def poll_store_refunds(store_hash: str) -> int:
    return _poll(store_hash, "refunds")


@control_task("bcrm.control.poll_disclosures", flow="disclosures")
def poll_store_disclosures(store_hash: str) -> int:
    """A look at every channel of the store (each one a fetch of its own); the look
    records its completion, which is what the stream's lag reads."""
    client = clients.bigcommerce(store_hash)
    tick = datetime.now(UTC).isoformat()
    channels = look.channel_ids(client)
    for channel_id in channels:
        intake.enqueue_look(store_hash, channel_id, "poll", tick)
    return len(channels)


@control_task("bcrm.control.disclosure_receipts", flow="disclosures")
def release_disclosure_receipts(store_hash: str) -> int:
    """File the receipts of orders whose disclosure evidence has settled since."""
    return receipts.release_settled(
        disclosure_index(), redis_client(), clients.bigcommerce(store_hash), store_hash
    )


@control_task("bcrm.control.poll_change_requests", flow="approvals")
def poll_store_change_requests(store_hash: str) -> int:
    """Owe a publish for each of the store's approved change requests; one poll per store
    at a time (the lock lives as long as a task may, like the store pollers')."""
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.poll_lock(store_hash, "change_requests"), timeout=ttl)
    if not lock.acquire(blocking=False):
        return 0
    try:
        return poll_change_requests(clients.otcs(), store_hash)
    finally:
        lock.release()


@control_task("bcrm.control.poll_recalls", flow="recalls")
def poll_store_recalls(store_hash: str) -> int:
    """Save the store's recalls as the ECM holds them and owe a fetch for each that
    changed (or entered a new week while open); one poll per store at a time."""
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.poll_lock(store_hash, "recalls"), timeout=ttl)
    if not lock.acquire(blocking=False):
        return 0
    try:
        return recall_sync.poll(clients.otcs(), store_hash)
    finally:
        lock.release()


@control_task("bcrm.control.watch_governed", flow="approvals")
def watch_store_governed_fields(store_hash: str) -> str:
    """Owe one look at the store's governed fields (a fetch of its own: the ledger knows
    it before its message exists); the look records its completion, which is what the
    stream's lag reads."""
    return watch.enqueue_watch(store_hash, "poll", datetime.now(UTC).isoformat())


@control_task("bcrm.control.recall_takedowns", flow="approvals")
def look_at_recall_takedowns(store_hash: str) -> int:
    """Owe the takedown of every item of the store's open, decided recalls not yet taken
    down, then re-verify the storefront state of those taken down (an item on sale again
    is kept for `bcrm status`); one look per store at a time, like the polls. How many
    takedowns were owed."""
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.poll_lock(store_hash, "recall_takedowns"), timeout=ttl)
    if not lock.acquire(blocking=False):
        return 0
    try:
        recalls = services.archive_index().recalls
        owed = takedown.owe_takedowns(recalls, store_hash)
        storefront.recheck(clients.bigcommerce(store_hash), recalls, redis_client(), store_hash)
        return owed
    finally:
        lock.release()


@control_task("bcrm.control.poll_campaigns", flow="campaigns")
def poll_store_campaigns(store_hash: str) -> int:
    """Read the store's campaigns from the ECM into the archive index; one poll per store
    at a time (the lock lives as long as a task may, like the store pollers')."""
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.poll_lock(store_hash, "campaigns"), timeout=ttl)
    if not lock.acquire(blocking=False):
        return 0
    try:
        return ecm_poll.poll_campaigns(
            clients.otcs(), services.archive_index().campaigns, store_hash
        )
    finally:
        lock.release()


@control_task(price_poll.POLL_PRICES_TASK, flow="campaigns")
def poll_store_prices(store_hash: str) -> int:
    """One poll of the store's catalog prices into the price history (flow 7's prior
    prices); how many price changes it recorded (0 when another poll held the lock)."""
    done = price_poll.poll_store(
        clients.bigcommerce(store_hash),
        PriceHistory(services.archive_index().engine),
        redis_client(),
        store_hash,
        datetime.now(UTC),
        settings().visibility_timeout,
    )
    return 0 if done is None else done.recorded


@control_task("bcrm.control.look_promotions", flow="campaigns")
def look_at_store_promotions(store_hash: str) -> str:
    """Owe one look at the store's promotions (a fetch of its own, like flow 3's watch)."""
    return promotion_look.enqueue_look(store_hash, "poll", datetime.now(UTC).isoformat())


@control_task("bcrm.control.redrive_stalled")
def redrive_stalled_records() -> int:
    """Resend the chains whose next message died with a worker or broker (see
    `pipeline.core.redrive`); the next tick simply looks again."""
    quiet_s = 2 * settings().visibility_timeout
    return redrive.redrive(redrive.find_stalled(services.ledger(), redis_client(), quiet_s))


# The next tick of a monthly job is a month away: a failure is dead-lettered, not only logged.
@control_task("bcrm.control.tax_summaries", flow="fulfilment", dead_letters=True, bind=True)
def summarise_store_month(
    self: ControlTask,
    store_hash: str,
    year: int | None = None,
    month: int | None = None,
    after_id: int = 0,
    snapshots: Sequence[str] = (),
) -> None:
    """One step of a store's month (by default the previous one); it sends the next step
    itself, and the last one starts a chain per summary. A third of the soft time limit
    leaves room for the order in hand when the budget runs out, and for the last step."""
    if year is None or month is None:
        year, month = tax_summaries.previous_month(datetime.now(UTC).date())
    job = tax_summaries.MonthJob(store_hash, year, month, after_id, tuple(snapshots))
    deadline = time.monotonic() + settings().task_soft_time_limit / 3
    following = tax_summaries.run_step(clients.bigcommerce(store_hash), job, deadline)
    if following is not None:
        self.apply_async(kwargs=asdict(following))


# The nightly audits read a whole window or sample, far longer than a stage may take. They
# only read and report, and the next night repeats them, so their message is acked when
# received: a run longer than the visibility timeout is not redelivered into a parallel copy,
# and a worker lost mid-run costs one night's report.
NIGHTLY_SOFT_TIME_LIMIT_S = 4 * 3600


class NightlyOptions(TypedDict):
    acks_late: bool
    soft_time_limit: int
    time_limit: int


NIGHTLY_OPTIONS: NightlyOptions = {
    "acks_late": False,
    "soft_time_limit": NIGHTLY_SOFT_TIME_LIMIT_S,
    "time_limit": NIGHTLY_SOFT_TIME_LIMIT_S + 60,
}


@control_task("bcrm.control.reconcile", **NIGHTLY_OPTIONS)
def reconcile_store(store_hash: str, days: int | None = None) -> None:
    """Reconcile the last `days` (default BCRM_RECONCILE_DAYS) of a store, re-drive the
    records that went missing (a message lost with a killed worker or broker, a node the
    ECM lost: re-fetching is idempotent and never overwrites), and keep the report.
    Mismatches and dead letters are only reported: those need a person."""
    until = datetime.now(UTC)
    since = until - timedelta(days=days or settings().reconcile_days)
    report = reconcile.reconcile(clients.otcs(), services.ledger(), store_hash, since, until)
    if report.missing:
        reconcile.repair(report)
    reconcile.keep_report(redis_client(), report)


@control_task("bcrm.control.retire_declared", **NIGHTLY_OPTIONS)
def retire_declared_records() -> None:
    """Move what is older than BCRM_LEDGER_RETAIN_DAYS out of Redis: declared records whose
    index row exists, and the audit events once the index holds them."""
    counts = retire.retire_declared(
        services.ledger(), services.archive_index(), settings().ledger_retain_days
    )
    log_event("retire.finished", **asdict(counts))


@control_task("bcrm.control.fixity_audit", **NIGHTLY_OPTIONS)
def audit_store_fixity(store_hash: str, sample: int | None = None) -> None:
    """Re-hash a sample (default BCRM_FIXITY_SAMPLE; 0 = all) of the store's declared
    records, keep the report, and fail the task if any record differs or is gone."""
    size = settings().fixity_sample if sample is None else sample
    report = fixity.audit(clients.otcs(), services.archive_index(), store_hash, size)
    fixity.keep_report(redis_client(), report)
    if not report.ok:
        raise report.failure()
