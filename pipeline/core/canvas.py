"""The canvases producers enqueue, and how to resume one from any of its stages."""

from __future__ import annotations

from typing import Any

from celery import chain
from celery.canvas import Signature

from pipeline.celery import app
from pipeline.core.deadletters import DeadLetter

# Each stage task and the one that follows it; a dead letter replays from its stage on.
NEXT_STAGE: dict[str, str] = {
    "bcrm.fetch.placeholder": "bcrm.render.placeholder",
    "bcrm.render.placeholder": "bcrm.classify.placeholder",
    "bcrm.classify.placeholder": "bcrm.declare.placeholder",
    "bcrm.render.document": "bcrm.classify.document",
    "bcrm.classify.document": "bcrm.declare.document",
    "bcrm.render.tax_summary": "bcrm.classify.tax_summary",
    "bcrm.classify.tax_summary": "bcrm.declare.tax_summary",
}


def chain_from(task_name: str, args: list[Any], kwargs: dict[str, Any]) -> Signature:
    """The canvas from `task_name` (called with args/kwargs) to the end of its flow."""
    steps = [app.signature(task_name, args=args, kwargs=kwargs)]
    name = task_name
    while name in NEXT_STAGE:
        name = NEXT_STAGE[name]
        steps.append(app.signature(name))
    return chain(*steps) if len(steps) > 1 else steps[0]


def skeleton_canvas(ref: dict[str, Any]) -> Signature:
    """fetch → render → classify → declare for one placeholder item."""
    return chain_from("bcrm.fetch.placeholder", [ref], {})


def document_canvas(message: dict[str, Any]) -> Signature:
    """render → classify → declare for one due document."""
    return chain_from("bcrm.render.document", [message], {})


def replay_canvas(entry: DeadLetter) -> None:
    """Re-send a dead-lettered stage and the rest of its flow (`DeadLetterStore.replay`)."""
    chain_from(entry.task_name, entry.args, entry.kwargs).apply_async()
