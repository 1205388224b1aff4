"""The classify stage tasks (queue `classify`)."""

from typing import Any

from pipeline import skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.classify.placeholder")
def classify_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.classify(ref, self.attempt)
