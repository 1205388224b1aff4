"""The stages, as data: the one enumeration the ledger's order, retry policies, queues,
worker groups, canvases, re-drive and metrics are all derived from.

Adding a stage (the `publish` stage of the approvals flow) is one entry here plus its task.
Kept free of Celery and Redis imports so `celeryconfig` and the settings can read it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for one stage: base * 2**retry seconds, full jitter, capped, bounded count."""

    max_retries: int
    base_s: float = 1.0

    def countdown(self, retries: int, cap_s: float, retry_after: float | None = None) -> float:
        """Seconds before the next try; never beyond `cap_s` (BCRM_RETRY_BACKOFF_MAX, which
        the settings keep below the visibility timeout: a longer countdown is redelivered)."""
        backoff = random.uniform(0, min(cap_s, self.base_s * 2**retries))
        return min(cap_s, max(backoff, retry_after or 0.0))


@dataclass(frozen=True)
class Stage:
    """One stage: its queue (named after it), the worker group that serves the queue, the
    ledger state a record reaches when it completes, and its retry policy.

    An *entry* stage starts a unit of work from a producer's reference (`fetch` reads a
    source, `publish` applies a change) and hands documents to the document chain; its
    tasks are named per source (`bcrm.fetch.order`). The other stages form the chain every
    document runs, one task each (`bcrm.render.document`).
    """

    name: str
    state_after: str
    group: str
    retry: RetryPolicy
    entry: bool = False

    @property
    def queue(self) -> str:
        return self.name

    @property
    def document_task(self) -> str:
        """The one task of a document stage."""
        return f"bcrm.{self.name}.document"


STAGES: tuple[Stage, ...] = (
    Stage("fetch", "fetched", "io", RetryPolicy(max_retries=8), entry=True),
    # Applies one approved change to BigCommerce (flow 3), then hands its receipt to the
    # document chain. Network-bound, like fetch; a lost write answer is re-read, not retried
    # blindly, so its retries are as many as fetch's.
    Stage("publish", "published", "io", RetryPolicy(max_retries=8), entry=True),
    Stage("render", "rendered", "cpu", RetryPolicy(max_retries=3)),
    # A file-plan lookup: on the I/O threads, leaving both prefork processes to rendering.
    Stage("classify", "classified", "io", RetryPolicy(max_retries=3)),
    Stage("declare", "declared", "io", RetryPolicy(max_retries=8)),
)
# Beat's jobs (polls, monthly and nightly runs, re-drive): not a stage of any record, but
# retried, counted and (where it matters) dead-lettered the same way.
CONTROL = Stage("control", "", "io", RetryPolicy(max_retries=8))

BY_NAME: dict[str, Stage] = {stage.name: stage for stage in (*STAGES, CONTROL)}
DOCUMENT_STAGES: tuple[Stage, ...] = tuple(stage for stage in STAGES if not stage.entry)
# The ledger states in order of progress (a record never moves back); `pending` before
# any stage finished, `dead_lettered` off to the side.
PROGRESS: tuple[str, ...] = ("pending", *(stage.state_after for stage in STAGES))
STATES: tuple[str, ...] = (*PROGRESS, "dead_lettered")
FINAL_STATES: tuple[str, ...] = (DOCUMENT_STAGES[-1].state_after, "dead_lettered")
QUEUES: tuple[str, ...] = tuple(stage.queue for stage in (*STAGES, CONTROL))


def stage(name: str) -> Stage:
    return BY_NAME[name]


def worker_queues(group: str) -> tuple[str, ...]:
    """The queues one worker group serves."""
    return tuple(s.queue for s in (*STAGES, CONTROL) if s.group == group)


def following_stage(name: str) -> Stage | None:
    """The stage whose task follows a task of stage `name` in a chain: an entry stage is
    followed by the first document stage (if at all: most fan out), a document stage by
    the next one; an entry stage never follows another."""
    current = BY_NAME.get(name)
    if current is None or current is CONTROL:
        return None
    return DOCUMENT_STAGES[0] if current.entry else next_document_stage(name)


def next_document_stage(name: str) -> Stage | None:
    """The document stage after `name`, None after the last one (or an entry stage, which
    fans out instead)."""
    names = [s.name for s in DOCUMENT_STAGES]
    if name not in names or name == names[-1]:
        return None
    return DOCUMENT_STAGES[names.index(name) + 1]
