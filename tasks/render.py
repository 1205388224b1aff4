"""The render stage tasks (queue `render`)."""

from typing import Any

from pipeline.core.stage import StageTask, stage_task
from pipeline.devtools import skeleton
from pipeline.flows.commerce import document_stages
from pipeline.flows.fulfilment import tax_summaries


@stage_task("bcrm.render.placeholder")
def render_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.render(ref, self.attempt)


@stage_task("bcrm.render.document")
def render_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return document_stages.render(message)


@stage_task("bcrm.render.tax_summary")
def render_tax_summary(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return tax_summaries.render_summary(message)
