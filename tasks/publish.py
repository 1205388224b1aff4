"""The publish stage task (queue `publish`): one approved change request applied to
BigCommerce exactly once, its receipt handed to the document chain."""

from typing import Any

from pipeline.core.stage import StageTask, stage_task
from pipeline.flows.approvals.publishing import publish_request


@stage_task("bcrm.publish.change", flow="approvals")
def publish_change_request(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return publish_request(ref)
