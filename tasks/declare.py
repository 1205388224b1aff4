"""The declare stage tasks (queue `declare`)."""

from typing import Any

from pipeline.core.stage import StageTask, stage_task
from pipeline.devtools import skeleton
from pipeline.flows.fulfilment import tax_summaries
from pipeline.records import declare
from pipeline.runtime import clients, settings


@stage_task("bcrm.declare.placeholder")
def declare_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.declare(ref, self.attempt)


@stage_task("bcrm.declare.document")
def declare_document(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    return _declared(message, declare.declare_document(clients.otcs(), message))


@stage_task("bcrm.declare.tax_summary")
def declare_tax_summary(self: StageTask, message: dict[str, Any]) -> dict[str, Any]:
    record = tax_summaries.declare_summary(clients.otcs(), message, settings().otcs_root_id)
    return _declared(message, record)


def _declared(message: dict[str, Any], record: declare.DeclaredRecord) -> dict[str, Any]:
    """The declare result; its `kind` is what the fleet's records-per-kind counters add to."""
    return {
        "record_key": message["record_key"],
        "kind": message["document"]["kind"],
        "target_id": record.node_id,
        "sha256": record.sha256,
        "adopted": record.adopted,
    }
