"""The classify stage tasks (queue `classify`)."""

from typing import Any

from pipeline.core.stage import StageTask, stage_task
from pipeline.devtools import skeleton
from pipeline.flows.commerce import document_stages
from pipeline.flows.fulfilment import tax_summaries


@stage_task("bcrm.classify.placeholder")
def classify_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.classify(ref, self.attempt)


@stage_task("bcrm.classify.document")
def classify_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return document_stages.classify_document(message)


@stage_task("bcrm.classify.tax_summary")
def classify_tax_summary(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return tax_summaries.classify_summary(message)
