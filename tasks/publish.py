"""The publish stage task (queue `publish`): one approved change request applied to
BigCommerce exactly once, its receipt handed to the document chain."""

from typing import Any

from celery.exceptions import Ignore

from pipeline.core.stage import StageTask, stage_task
from pipeline.flows.approvals.publishing import PublishInProgress, publish_request
from pipeline.runtime.log import log_event


@stage_task("bcrm.publish.change", flow="approvals")
def publish_change_request(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    try:
        return publish_request(ref)
    except PublishInProgress:
        # A copy of a message whose run is under way: dropped, neither retried nor filed.
        log_event("publish.copy_dropped", record_key=ref["record_key"])
        raise Ignore() from None
