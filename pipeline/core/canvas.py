"""The canvases producers enqueue, and how to resume one from any of its stages.

A chain's order is the stage enumeration's: `bcrm.<stage>.<what>` is followed by the next
stage's task of the same `<what>` if there is one (the canary flow's placeholder chain),
else, after a document stage, by the next document stage's task. An entry stage (fetch)
fans out instead of chaining, so nothing follows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import chain
from celery.canvas import Signature

from pipeline.celery import app
from pipeline.core import registry
from pipeline.core.deadletters import DeadLetter
from pipeline.core.stages import DOCUMENT_STAGES, STAGES, next_document_stage


def next_task(task_name: str) -> str | None:
    """The task that follows `task_name` in its chain, None at the end."""
    _, stage, what = task_name.split(".", 2)
    names = [s.name for s in STAGES]
    if stage not in names or stage == names[-1]:
        return None
    same_kind = f"bcrm.{names[names.index(stage) + 1]}.{what}"
    registry.flows()  # every running flow's own tasks registered
    if same_kind in app.tasks:
        return same_kind
    following = next_document_stage(stage)
    return None if following is None else following.document_task


def chain_from(task_name: str, args: list[Any], kwargs: dict[str, Any]) -> Signature:
    """The canvas from `task_name` (called with args/kwargs) to the end of its chain."""
    steps = [app.signature(task_name, args=args, kwargs=kwargs)]
    name: str | None = next_task(task_name)
    while name is not None:
        steps.append(app.signature(name))
        name = next_task(name)
    return chain(*steps) if len(steps) > 1 else steps[0]


def document_chain(message: Mapping[str, Any]) -> Signature:
    """render → classify → declare for one owed document."""
    return chain_from(DOCUMENT_STAGES[0].document_task, [dict(message)], {})


def replay_canvas(entry: DeadLetter) -> None:
    """Re-send a dead-lettered stage and the rest of its chain (`DeadLetterStore.replay`)."""
    chain_from(entry.task_name, entry.args, entry.kwargs).apply_async()
