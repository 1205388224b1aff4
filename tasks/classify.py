"""The classify stage task (queue `classify`): one for every flow's documents."""

from typing import Any

from pipeline.core import document_stages
from pipeline.core.stage import StageTask, stage_task
from schemas.messages import ClassifiedMessage


@stage_task("bcrm.classify.document", earlier_names=("bcrm.classify.tax_summary",))
def classify_document(self: StageTask, message: dict[str, Any]) -> ClassifiedMessage:
    return document_stages.classify(message)
