"""The one place that says how a stage runs: idempotency, retries and dead-lettering.

Every stage task is declared with `@stage_task(...)`. Before running, the task looks up
the ledger: a stage that already finished for this record returns its stored result, so a
redelivered or duplicated message costs nothing. Transient errors retry with exponential
backoff and full jitter, bounded per stage; permanent errors, unexpected exceptions, hard
time limits and exhausted retries go to the dead-letter store with their context.
Every success, retry and dead letter also adds to the fleet's counters (`bcrm metrics`),
in the same round trip as the ledger or audit write it makes anyway.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from celery import Task, signals
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from redis.client import Pipeline

from pipeline.celery import app
from pipeline.core import counters
from pipeline.core.deadletters import DeadLetter
from pipeline.core.errors import PermanentError, TransientError
from pipeline.core.ledger import STAGES
from pipeline.runtime import redis_client, services, settings
from pipeline.runtime.log import log_event

# What may pass on a later try. Anything else is a permanent error or a bug: retrying a
# KeyError five times only delays the dead letter an operator has to read anyway.
TRANSIENT = (
    TransientError,
    ConnectionError,
    TimeoutError,
    SoftTimeLimitExceeded,
    redis.ConnectionError,
    redis.TimeoutError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for one stage: base * 2**retry seconds, full jitter, capped, bounded count."""

    max_retries: int
    base_s: float = 1.0

    def countdown(self, retries: int, retry_after: float | None = None) -> float:
        """Seconds before the next try; never beyond BCRM_RETRY_BACKOFF_MAX, which the
        settings keep below the visibility timeout (a longer countdown is redelivered)."""
        cap = float(settings().retry_backoff_max)
        backoff = random.uniform(0, min(cap, self.base_s * 2**retries))
        return min(cap, max(backoff, retry_after or 0.0))


# Result fields copied to the top of the ledger record, where reconciliation reads them.
LEDGER_FACTS = ("target_id", "sha256")

RETRY_POLICIES = {
    "fetch": RetryPolicy(max_retries=8),
    "render": RetryPolicy(max_retries=3),
    "classify": RetryPolicy(max_retries=3),
    "declare": RetryPolicy(max_retries=8),
}


class StageTask(Task):
    """Base class of every stage task; see the module docstring."""

    stage: str = ""
    # Used by the worker-lost re-send (task_retry_on_worker_lost); must stay well below
    # the visibility timeout, unlike Celery's 180 s default.
    default_retry_delay = 1

    @property
    def attempt(self) -> int:
        """This run's attempt number for the record, redeliveries included (from the
        ledger, not Celery's retry count, which a killed worker's redelivery resets)."""
        return int(getattr(self.request, "stage_attempt", 0))

    def __call__(self, ref: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        record_key = ref["record_key"]
        ledger = services.ledger()
        done, refused_by = ledger.before_stage(record_key, self.stage)
        if done is not None:
            log_event("stage.skipped", stage=self.stage, record_key=record_key)
            return done
        if refused_by is not None and services.dead_letters().waiting(refused_by):
            # Refused for good, and its dead letter still waits for a person: running the
            # same input again could only file another one (every poll in the overlap
            # re-sent a bad order). `bcrm dlq replay` takes the entry out of waiting first.
            log_event(
                "stage.refused_before",
                logging.WARNING,
                stage=self.stage,
                record_key=record_key,
                dead_letter_id=refused_by,
            )
            raise Ignore()
        self.request.stage_attempt = ledger.begin_stage(record_key, self.stage, self.name)
        started = time.monotonic()
        try:
            result = super().__call__(ref, *args, **kwargs)
        except PermanentError:
            raise
        except TRANSIENT as exc:
            policy = RETRY_POLICIES[self.stage]
            if self.request.retries >= policy.max_retries:
                raise
            retry_after = getattr(exc, "retry_after", None)
            with _one_round_trip() as pipe:
                ledger.note_retry(record_key, pipe)
                counters.stage_retried(pipe, self.stage)
            log_event(
                "stage.retry",
                logging.WARNING,
                stage=self.stage,
                record_key=record_key,
                error=type(exc).__name__,
                attempt=self.attempt,
            )
            raise self.retry(
                exc=exc,
                countdown=policy.countdown(self.request.retries, retry_after),
                max_retries=policy.max_retries,
            ) from exc
        elapsed_s = time.monotonic() - started
        facts = {k: str(result[k]) for k in LEDGER_FACTS if k in result}
        state = ledger.complete_stage(record_key, self.stage, result, **facts)
        with _one_round_trip() as pipe:
            audit_event = _audit_event(self.stage, result)
            services.audit().append(audit_event, record_key, pipe, attempt=self.attempt)
            counters.stage_completed(pipe, self.stage, elapsed_s)
            if self.stage == "declare" and "kind" in result:  # placeholders have no kind
                counters.record_declared(pipe, result["kind"], audit_event == "declare.adopted")
        log_event(
            "stage.completed",
            stage=self.stage,
            record_key=record_key,
            state=state,
            attempt=self.attempt,
        )
        return result


@contextmanager
def _one_round_trip() -> Iterator[Pipeline]:
    """A pipeline for one event's ledger, audit and counter writes, sent on leaving."""
    with redis_client().pipeline(transaction=False) as pipe:
        yield pipe
        pipe.execute()


def _audit_event(stage: str, result: dict[str, Any]) -> str:
    """What auditors look for: a record created in the ECM, or an existing one adopted."""
    if stage == "declare":
        return "declare.adopted" if result.get("adopted") else "declared"
    return f"{stage}.completed"


def stage_task(name: str) -> Callable[[Callable[..., Any]], StageTask]:
    """Register a stage task under an explicit, stable name `bcrm.<stage>.<what>`."""
    stage = name.split(".")[1]
    if stage not in STAGES:
        raise ValueError(f"{name}: the stage must be one of {STAGES}")
    policy = RETRY_POLICIES[stage]

    def register(fn: Callable[..., Any]) -> StageTask:
        task = app.task(
            name=name, base=StageTask, bind=True, stage=stage, max_retries=policy.max_retries
        )(fn)
        return task  # type: ignore[no-any-return]

    return register


# Control tasks that own no record but whose failure must not be only a log line: the
# monthly tax summaries run once a month, so a failed month would wait a month unseen.
# They are filed under stage "control", and `bcrm dlq replay` runs them again.
DEAD_LETTERED_CONTROL_TASKS = frozenset({"bcrm.control.tax_summaries"})


def _failed_stage(sender: Task | None) -> str | None:
    if isinstance(sender, StageTask):
        return sender.stage
    if sender is not None and sender.name in DEAD_LETTERED_CONTROL_TASKS:
        return "control"
    return None


@signals.task_failure.connect
def dead_letter_failed_stage(
    sender: Task | None = None,
    task_id: str = "",
    exception: BaseException | None = None,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    einfo: Any = None,
    **_: Any,
) -> None:
    """File every final stage failure, wherever Celery reports it: in the pool process
    (errors), or in the worker's main process (hard time limit, worker lost for good)."""
    stage = _failed_stage(sender)
    if stage is None or sender is None or exception is None:
        return
    ref = args[0] if args and isinstance(args[0], dict) else {}
    record_key = str(ref.get("record_key", ""))
    if record_key:
        attempts = int(services.ledger().get(record_key).get(f"attempts:{stage}", 0) or 0)
    else:
        attempts = int(getattr(sender.request, "retries", 0) or 0) + 1
    entry = DeadLetter(
        task_name=sender.name,
        stage=stage,
        args=list(args),
        kwargs=dict(kwargs or {}),
        exception_type=type(exception).__name__,
        exception=str(exception),
        traceback=str(getattr(einfo, "traceback", "") or ""),
        attempts=attempts,
        task_id=task_id,
        record_key=record_key,
    )
    services.dead_letters().add(entry)
    with _one_round_trip() as pipe:
        counters.stage_dead_lettered(pipe, stage)
        if record_key:
            permanent = isinstance(exception, PermanentError)
            services.ledger().mark_dead(record_key, stage, entry.id, permanent)
            services.audit().append(
                "dead_lettered", record_key, pipe, stage=stage, error=entry.exception_type
            )
    log_event(
        "stage.dead_lettered",
        logging.ERROR,
        stage=stage,
        record_key=record_key,
        error=entry.exception_type,
        dead_letter_id=entry.id,
        attempts=attempts,
    )
