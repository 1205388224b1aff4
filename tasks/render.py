"""The render stage tasks (queue `render`)."""

from typing import Any

from pipeline import document_stages, skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.render.placeholder")
def render_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.render(ref, self.attempt)


@stage_task("bcrm.render.document")
def render_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return document_stages.render(message)
