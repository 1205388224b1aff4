"""The fetch stage tasks (queue `fetch`)."""

from typing import Any

from pipeline import skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.fetch.placeholder")
def fetch_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.fetch(ref, self.attempt)
