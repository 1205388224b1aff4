"""The declare stage task (queue `declare`): one for every flow's documents."""

from typing import Any

from pipeline.core import document_stages
from pipeline.core.stage import StageTask, stage_task
from schemas.messages import DeclaredResult


@stage_task("bcrm.declare.document", earlier_names=("bcrm.declare.tax_summary",))
def declare_document(self: StageTask, message: dict[str, Any]) -> DeclaredResult:
    return document_stages.declare(message)
