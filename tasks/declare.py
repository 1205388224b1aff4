"""The declare stage tasks (queue `declare`)."""

from typing import Any

from pipeline import clients, declare, skeleton
from pipeline.stage import StageTask, stage_task


@stage_task("bcrm.declare.placeholder")
def declare_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.declare(ref, self.attempt)


@stage_task("bcrm.declare.document")
def declare_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    record = declare.declare_document(clients.otcs(), message)
    return {
        "record_key": message["record_key"],
        "target_id": record.node_id,
        "sha256": record.sha256,
        "adopted": record.adopted,
    }
