"""The canvases producers enqueue, and how to resume one from any of its stages.

A chain's order is the stage enumeration's: `bcrm.<stage>.<what>` is followed by the
following stage's task of the same `<what>` if there is one (the canary flow's placeholder
chain), else, after a document stage, by the next document stage's task. An entry stage
(fetch, publish) fans out instead of chaining, so nothing follows it; no entry stage
follows another.

Producers start chains with `send_owed`: the ledger records each unit as owed, with the
task and arguments its chain starts with, before its first message exists, so a message
lost from a queue (kombu#305) is never work nobody knows about (`pipeline.core.redrive`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from celery import chain
from celery.canvas import Signature

from pipeline.celery import app
from pipeline.core import registry
from pipeline.core.deadletters import DeadLetter
from pipeline.core.stages import DOCUMENT_STAGES, following_stage, stage
from pipeline.runtime import services


def next_task(task_name: str) -> str | None:
    """The task that follows `task_name` in its chain, None at the end."""
    _, stage_name, what = task_name.split(".", 2)
    following = following_stage(stage_name)
    if following is None:
        return None
    same_kind = f"bcrm.{following.name}.{what}"
    registry.flows()  # every running flow's own tasks registered
    if same_kind in app.tasks:
        return same_kind
    return None if stage(stage_name).entry else following.document_task


def chain_from(task_name: str, args: list[Any], kwargs: dict[str, Any]) -> Signature:
    """The canvas from `task_name` (called with args/kwargs) to the end of its chain."""
    steps = [app.signature(task_name, args=args, kwargs=kwargs)]
    name: str | None = next_task(task_name)
    while name is not None:
        steps.append(app.signature(name))
        name = next_task(name)
    return chain(*steps) if len(steps) > 1 else steps[0]


def end_state(task_name: str) -> str:
    """The ledger state the last stage of `task_name`'s chain leaves its unit in."""
    last = task_name
    while (following := next_task(last)) is not None:
        last = following
    return stage(last.split(".")[1]).state_after


@dataclass(frozen=True)
class OwedUnit:
    """One unit of work a producer hands over: the record it becomes, the flow it counts
    under, and the task and arguments its chain starts with."""

    record_key: str
    flow: str
    task_name: str
    args: list[Any]


def document_unit(message: Mapping[str, Any]) -> OwedUnit:
    """render → classify → declare for one owed document."""
    return OwedUnit(
        str(message["record_key"]),
        str(message["flow"]),
        DOCUMENT_STAGES[0].document_task,
        [dict(message)],
    )


def send_owed(units: Sequence[OwedUnit], countdown: float | None = None) -> list[str]:
    """Record every unit as owed (one round trip), then send each one's chain (after
    `countdown` seconds, when given); the Celery ids of the first messages. A crash
    between the two leaves owed units with nothing queued, which is exactly what the
    re-drive job looks for."""
    ledger = services.ledger()
    with ledger.redis.pipeline(transaction=False) as pipe:
        for unit in units:
            end = end_state(unit.task_name)
            ledger.owe(unit.record_key, unit.flow, unit.task_name, unit.args, end, pipe)
        pipe.execute()
    sent = []
    for unit in units:
        canvas = chain_from(unit.task_name, unit.args, {})
        result = (
            canvas.apply_async() if countdown is None else canvas.apply_async(countdown=countdown)
        )
        sent.append(str(result.id))
    return sent


def replay_canvas(entry: DeadLetter) -> None:
    """Re-send a dead-lettered stage and the rest of its chain (`DeadLetterStore.replay`),
    owed again like any producer's work when it belongs to a record."""
    if entry.record_key and not entry.kwargs:
        send_owed([OwedUnit(entry.record_key, entry.flow, entry.task_name, entry.args)])
    else:
        chain_from(entry.task_name, entry.args, entry.kwargs).apply_async()
