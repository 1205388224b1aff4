"""The monthly tax summary: the one record about a store's month rather than one order.

A job per store and month reads the orders created in the month through the list
endpoint, snapshots them as fetch does and sums their tax per currency and destination
country (`pipeline.flows.commerce.taxes.summarise_month`). It runs in bounded steps that
hand on how far they got, each within the task time limit. Each summary is staged as
canonical JSON and runs its own render → classify → declare chain. Its record key carries
the fingerprint of that JSON, so running a month again whose numbers did not change adds
nothing, and a month whose numbers changed (an order paid late) becomes a new record that supersedes
the earlier one.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from pipeline.core.canvas import document_unit, send_owed
from pipeline.core.contract import DocumentSpec, Subject
from pipeline.core.messages import document_message
from pipeline.flows.commerce.documents import is_paid
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.flows.commerce.taxes import summarise_month
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import services
from schemas.snapshot import OrderSnapshot, TaxSummary

STORE_MONTH = "store_month"
TAX_SUMMARY_MONTHLY = "tax_summary_monthly"
# The name every summary was declared under: `tax-summary-2024-03-EUR-DE`.
NAME = "tax-summary-{subject}-{part}"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """First and last second of the month in UTC, as the list endpoint's inclusive bounds
    (BigCommerce dates have whole seconds)."""
    last_day = calendar.monthrange(year, month)[1]
    return (
        datetime(year, month, 1, tzinfo=UTC),
        datetime(year, month, last_day, 23, 59, 59, tzinfo=UTC),
    )


def previous_month(today: date) -> tuple[int, int]:
    """The month a run on `today` summarises by default: the last one that is over."""
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@dataclass(frozen=True)
class MonthJob:
    """How far a store's month has got: its orders up to `after_id` are snapshotted and the
    paid ones staged. Small enough to travel in the message of the job's next step."""

    store_hash: str
    year: int
    month: int
    after_id: int = 0
    snapshots: tuple[str, ...] = ()


def snapshot_orders(
    client: BigCommerceClient, job: MonthJob, deadline: float
) -> tuple[MonthJob, bool]:
    """Snapshot the month's next orders, by id, until all are done (True) or the deadline
    on `time.monotonic()` has passed: a month of a busy store takes thousands of calls,
    far more than one task may spend before Redis hands its message out again."""
    first, last = month_bounds(job.year, job.month)
    orders = client.iter_orders(
        min_date_created=first.isoformat(),
        max_date_created=last.isoformat(),
        min_id=job.after_id + 1,
        include=(),
        sort="id:asc",
    )
    staged = list(job.snapshots)
    for order in orders:
        snapshot = fetch_order_snapshot(client, job.store_hash, int(order["id"]))
        if is_paid(snapshot):  # the only ones a summary counts; the rest need no staging
            staged.append(services.staging().put(snapshot.to_json_bytes()))
        job = replace(job, after_id=snapshot.order.id, snapshots=tuple(staged))
        if time.monotonic() >= deadline:
            return job, False
    return job, True


def summaries_of(job: MonthJob) -> list[TaxSummary]:
    """Sum the staged snapshots of a month whose orders are all snapshotted."""

    def load(digest: str) -> OrderSnapshot:
        return OrderSnapshot.from_json_bytes(services.staging().get(digest))

    if not job.snapshots:
        return []
    seller = load(job.snapshots[0]).seller
    return summarise_month(job.store_hash, seller, job.year, job.month, map(load, job.snapshots))


def month_summaries(
    client: BigCommerceClient, store_hash: str, year: int, month: int
) -> list[TaxSummary]:
    """One summary per currency and country for the paid orders created in the month, in
    one go; the beat job takes the same steps in bounded tasks (`run_step`)."""
    job, _ = snapshot_orders(client, MonthJob(store_hash, year, month), deadline=math.inf)
    return summaries_of(job)


def summary_spec(summary: TaxSummary) -> DocumentSpec:
    """The summary of one store's month, for one currency and country; its fingerprint is
    the SHA-256 of its canonical JSON."""
    return DocumentSpec(
        flow="fulfilment",
        kind=TAX_SUMMARY_MONTHLY,
        store_hash=summary.store_hash,
        subject=Subject(STORE_MONTH, f"{summary.year:04d}-{summary.month:02d}"),
        part=f"{summary.currency}-{summary.country_iso2}",
        fingerprint=hashlib.sha256(summary.to_json_bytes()).hexdigest(),
    )


def start_chains(summaries: list[TaxSummary]) -> list[str]:
    """Stage each summary and start its render → classify → declare chain; returns the
    record keys."""
    messages = [
        document_message(summary_spec(summary), services.staging().put(summary.to_json_bytes()))
        for summary in summaries
    ]
    send_owed([document_unit(message) for message in messages])
    return [message["record_key"] for message in messages]


def run_step(client: BigCommerceClient, job: MonthJob, deadline: float) -> MonthJob | None:
    """One bounded step of a month's job: the job to continue with, or None once every
    summary's chain has started."""
    job, done = snapshot_orders(client, job, deadline)
    if not done:
        return job
    start_chains(summaries_of(job))
    return None
