"""The declare stage tasks (queue `declare`)."""

from typing import Any

from pipeline import skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.declare.placeholder")
def declare_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.declare(ref, self.attempt)
