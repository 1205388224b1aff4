"""The classify stage tasks (queue `classify`)."""

from typing import Any

from pipeline import document_stages, skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.classify.placeholder")
def classify_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.classify(ref, self.attempt)


@stage_task("bcrm.classify.document")
def classify_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return document_stages.classify_document(message)
