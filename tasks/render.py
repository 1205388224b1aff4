"""The render stage task (queue `render`): one for every flow's documents."""

from typing import Any

from pipeline.core import document_stages
from pipeline.core.stage import StageTask, stage_task
from schemas.messages import RenderedMessage


@stage_task("bcrm.render.document", earlier_names=("bcrm.render.tax_summary",))
def render_document(self: StageTask, message: dict[str, Any]) -> RenderedMessage:
    return document_stages.render(message)
