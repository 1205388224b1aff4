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
import math
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from pipeline.core.canvas import chain_from
from pipeline.core.errors import PermanentError
from pipeline.flows.commerce.document_stages import (
    document_message,
    document_ref,
    with_record_class,
    with_rendering,
)
from pipeline.flows.commerce.documents import DocumentRef, is_paid, tax_summary_ref
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.flows.commerce.render import render_tax_summary
from pipeline.flows.commerce.taxes import summarise_month
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.records.declare import DeclaredRecord, file_record, verify_fixity
from pipeline.runtime import services
from schemas.snapshot import OrderSnapshot, TaxSummary

RENDER_TASK = "bcrm.render.tax_summary"


class SummaryFolderMissing(PermanentError):
    """The ECM has no folder for tax summaries under the root: its set-up is incomplete,
    and creating a top-level records folder is a records manager's decision, not ours."""


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


def summary_message(summary_digest: str, ref: DocumentRef) -> dict[str, Any]:
    """The render message for one summary: an order document's envelope (so the shared
    stage helpers read its `DocumentRef`) naming the staged summary instead of a snapshot."""
    envelope = document_message(summary_digest, ref)
    return {
        "record_key": ref.record_key,
        "summary": summary_digest,
        "document": envelope["document"],
    }


def start_chains(summaries: list[TaxSummary]) -> list[str]:
    """Stage each summary and start its render → classify → declare chain; returns the
    record keys."""
    keys = []
    for summary in summaries:
        digest = services.staging().put(summary.to_json_bytes())
        message = summary_message(digest, tax_summary_ref(summary))
        chain_from(RENDER_TASK, [message], {}).apply_async()
        keys.append(message["record_key"])
    return keys


def run_step(client: BigCommerceClient, job: MonthJob, deadline: float) -> MonthJob | None:
    """One bounded step of a month's job: the job to continue with, or None once every
    summary's chain has started."""
    job, done = snapshot_orders(client, job, deadline)
    if not done:
        return job
    start_chains(summaries_of(job))
    return None


def summary_of(message: dict[str, Any]) -> TaxSummary:
    return TaxSummary.from_json_bytes(services.staging().get(message["summary"]))


def render_summary(message: dict[str, Any]) -> dict[str, Any]:
    return with_rendering(message, render_tax_summary(summary_of(message)))


def classify_summary(message: dict[str, Any]) -> dict[str, Any]:
    """The summary's own country is its jurisdiction: it reports that country's tax."""
    summary = summary_of(message)
    return with_record_class(message, summary, summary.country_iso2)


def summary_folder(otcs: OTCSClient, root_id: int, folder: str, store_hash: str) -> int:
    """`<folder>/<store_hash>` under the root: one deterministic folder per store, so a
    second run finds what the first one filed."""
    parent = otcs.resolve_path(root_id, folder)
    if parent is None:
        raise SummaryFolderMissing(f"no folder {folder!r} under node {root_id} in the ECM")
    return otcs.ensure_folder(parent.id, store_hash)


def declare_summary(otcs: OTCSClient, message: dict[str, Any], root_id: int) -> DeclaredRecord:
    """Folder, upload (or adopt), category, official record, supersedes, fixity."""
    ref = document_ref(message)
    folder_id = summary_folder(otcs, root_id, message["record_class"]["folder"], ref.store_hash)
    node_id, adopted = file_record(otcs, folder_id, ref, message)
    return verify_fixity(otcs, node_id, adopted, ref, message)
