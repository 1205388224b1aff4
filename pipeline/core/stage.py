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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import redis
from celery import Task, signals
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from redis.client import Pipeline

from pipeline.celery import app
from pipeline.core import counters, stages
from pipeline.core.deadletters import DeadLetter
from pipeline.core.errors import PermanentError, TransientError
from pipeline.core.ledger import STAGE_NAMES
from pipeline.core.stages import CONTROL, RetryPolicy
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


# The stage whose completion files a record (its result is what the counters label).
DECLARE = stages.DOCUMENT_STAGES[-1].name
# Result fields copied to the top of the ledger record, where reconciliation reads them.
LEDGER_FACTS = ("target_id", "sha256")


class StageTask(Task):
    """Base class of every stage task; see the module docstring."""

    stage: str = ""
    # The flow a task serves when its message does not say (a fetch task: its source's).
    flow: str = ""
    # Used by the worker-lost re-send (task_retry_on_worker_lost); must stay well below
    # the visibility timeout, unlike Celery's 180 s default.
    default_retry_delay = 1

    @property
    def attempt(self) -> int:
        """This run's attempt number for the record, redeliveries included (from the
        ledger, not Celery's retry count, which a killed worker's redelivery resets)."""
        return int(getattr(self.request, "stage_attempt", 0))

    def flow_of(self, ref: dict[str, Any]) -> str:
        return str(ref.get("flow") or self.flow)

    def __call__(self, ref: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        record_key = ref["record_key"]
        flow = self.flow_of(ref)
        ledger = services.ledger()
        done, refused_by = ledger.before_stage(record_key, self.stage)
        if done is not None:
            log_event("stage.skipped", stage=self.stage, record_key=record_key)
            return done
        if refused_by is not None and services.dead_letters().waiting(refused_by):
            # Refused for good, and its dead letter still waits for a person: running the
            # same input again could only file another one (every poll in the overlap
            # re-sent a bad order). `bcrm dlq replay` takes the entry out of waiting first.
            # The dead letter holds the work, so nothing is owed for it.
            ledger.settle_owed(record_key)
            log_event(
                "stage.refused_before",
                logging.WARNING,
                stage=self.stage,
                record_key=record_key,
                dead_letter_id=refused_by,
            )
            raise Ignore()
        # Celery's request context takes any attribute; the stubs declare only its own.
        self.request.stage_attempt = ledger.begin_stage(  # type: ignore[attr-defined]
            record_key, self.stage, self.name, flow
        )
        started = time.monotonic()
        try:
            result = super().__call__(ref, *args, **kwargs)
        except PermanentError:
            raise
        except TRANSIENT as exc:
            policy = stages.stage(self.stage).retry
            if self.request.retries >= policy.max_retries:
                raise
            retry_after = getattr(exc, "retry_after", None)
            with _one_round_trip() as pipe:
                ledger.note_retry(record_key, pipe)
                counters.stage_retried(pipe, flow, self.stage)
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
                countdown=_countdown(policy, self.request.retries, retry_after),
                max_retries=policy.max_retries,
            ) from exc
        elapsed_s = time.monotonic() - started
        facts = {k: str(result[k]) for k in LEDGER_FACTS if k in result}
        state = ledger.complete_stage(record_key, self.stage, result, **facts)
        with _one_round_trip() as pipe:
            if _ends_chain(self.name):
                ledger.settle_owed(record_key, pipe)
            audit_event = _audit_event(self.stage, result)
            services.audit().append(audit_event, record_key, pipe, attempt=self.attempt)
            counters.stage_completed(pipe, flow, self.stage, elapsed_s)
            if self.stage == DECLARE and "kind" in result:  # placeholders have no kind
                adopted = audit_event == "declare.adopted"
                counters.record_declared(pipe, flow, result["kind"], adopted)
        log_event(
            "stage.completed",
            stage=self.stage,
            record_key=record_key,
            state=state,
            attempt=self.attempt,
        )
        return result


@cache
def _ends_chain(task_name: str) -> bool:
    """Whether nothing follows the task in its chain (its unit of work is then done)."""
    from pipeline.core.canvas import next_task  # the canvas module imports the flows

    return next_task(task_name) is None


@contextmanager
def _one_round_trip() -> Iterator[Pipeline]:
    """A pipeline for one event's ledger, audit and counter writes, sent on leaving."""
    with redis_client().pipeline(transaction=False) as pipe:
        yield pipe
        pipe.execute()


def _countdown(policy: RetryPolicy, retries: int, retry_after: float | None) -> float:
    return policy.countdown(retries, float(settings().retry_backoff_max), retry_after)


def _audit_event(stage: str, result: dict[str, Any]) -> str:
    """What auditors look for: a record created in the ECM, or an existing one adopted."""
    if stage == DECLARE:
        return "declare.adopted" if result.get("adopted") else "declared"
    return f"{stage}.completed"


def stage_task(
    name: str, flow: str = "", earlier_names: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], StageTask]:
    """Register a stage task under an explicit, stable name `bcrm.<stage>.<what>`, and
    under the names an earlier version gave it (messages sent by that version may still
    be queued, scheduled for a retry or kept in a dead letter when the fleet upgrades)."""
    stage = name.split(".")[1]
    if stage not in STAGE_NAMES:
        raise ValueError(f"{name}: the stage must be one of {STAGE_NAMES}")
    policy = stages.stage(stage).retry

    def register(fn: Callable[..., Any]) -> StageTask:
        def declare(task_name: str) -> StageTask:
            return app.task(
                name=task_name,
                max_retries=policy.max_retries,
                base=StageTask,
                bind=True,
                stage=stage,
                flow=flow,
            )(fn)

        for earlier in earlier_names:
            declare(earlier)
        return declare(name)

    return register


class ControlTask(Task):
    """Base class of beat's jobs (polls, monthly and nightly runs, re-drive): they own no
    record, but are retried by the control policy and counted like a stage. One whose
    failure must not be only a log line (`dead_letters`: the monthly tax summaries run
    once a month, so a failed month would wait a month unseen) is filed under stage
    `control`, and `bcrm dlq replay` runs it again."""

    stage = CONTROL.name
    flow: str = ""
    dead_letters: bool = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            result = super().__call__(*args, **kwargs)
        except TRANSIENT as exc:
            policy = CONTROL.retry
            if self.request.retries >= policy.max_retries:
                raise
            with _one_round_trip() as pipe:
                counters.stage_retried(pipe, self.flow, self.stage)
            log_event("control.retry", logging.WARNING, task=self.name, error=type(exc).__name__)
            countdown = _countdown(policy, self.request.retries, getattr(exc, "retry_after", None))
            raise self.retry(exc=exc, countdown=countdown, max_retries=policy.max_retries) from exc
        with _one_round_trip() as pipe:
            counters.stage_completed(pipe, self.flow, self.stage, time.monotonic() - started)
        return result


def control_task(
    name: str, *, flow: str = "", dead_letters: bool = False, **options: Any
) -> Callable[[Callable[..., Any]], ControlTask]:
    """Register a control task `bcrm.control.<what>` (Celery options pass through)."""

    def register(fn: Callable[..., Any]) -> ControlTask:
        task = app.task(
            name=name,
            base=ControlTask,
            flow=flow,
            dead_letters=dead_letters,
            ignore_result=True,
            max_retries=CONTROL.retry.max_retries,
            **options,
        )(fn)
        return task

    return register


def _failed_stage(sender: Task | None) -> str | None:
    if isinstance(sender, StageTask):
        return sender.stage
    if isinstance(sender, ControlTask) and sender.dead_letters:
        return sender.stage
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
    if stage is None or not isinstance(sender, (StageTask, ControlTask)) or exception is None:
        return
    ref = args[0] if args and isinstance(args[0], dict) else {}
    record_key = str(ref.get("record_key", ""))
    flow = sender.flow_of(ref) if isinstance(sender, StageTask) else str(sender.flow)
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
        flow=flow,
    )
    services.dead_letters().add(entry)
    with _one_round_trip() as pipe:
        counters.stage_dead_lettered(pipe, flow, stage)
        if record_key:
            permanent = isinstance(exception, PermanentError)
            services.ledger().mark_dead(record_key, stage, entry.id, permanent)
            services.ledger().settle_owed(record_key, pipe)  # the dead letter holds it now
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
