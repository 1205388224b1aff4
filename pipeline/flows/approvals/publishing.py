"""The publish stage's work for one change request (`bcrm.publish.change`): read it from
the ECM, check its approval, publish it (or refuse), hand the receipt (or the refusal
record) to render → classify → declare into the change request's workspace, and mark
the request `published` or `refused`. Before it writes, it tells the watch of changes
made outside the workflow what it is about to write (`observed.expect`), so no look takes
its write for someone else's; a revert of an unapproved change (`reverting`) is filed by
the stage itself from its message, then published like any request.

A refusal (drift, expired, separation of duties, an approver outside the group, an
edited payload, a request cancelled or rejected meanwhile) is a business outcome with a
record, not a dead letter; what raises (BigCommerce 5xx after the stage's retries, an
unreadable request, a read-back that never verifies) is what a person must look at.
The record's chain is owed before the status is set: a crash in between re-runs the
stage, which finds the same record key (one receipt per change request, see
`PublishRecord.spec`) and sets the status then.

Celery over Redis may deliver two copies of one unit's message at once (a producer's
poll overlapping a retry, a redelivery racing a slow run): a run holds the change
request's lock in Redis, and a copy that finds it held retries later, by when the holder
has finished and the copy is skipped. The lock outlives no task: it expires with the
visibility timeout, so a killed worker's lock frees itself in time for the redelivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import LockError

from pipeline.core import keys
from pipeline.core.canvas import document_unit, send_owed
from pipeline.core.errors import TransientError
from pipeline.core.messages import document_message
from pipeline.flows.approvals import change_requests, observed, reverting
from pipeline.flows.approvals.approval_check import check_approval
from pipeline.flows.approvals.change_requests import UnreadableRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.publish import PublishOutcome, publish_change
from pipeline.flows.approvals.publish_record import PublishRecord
from pipeline.flows.approvals.unapproved import UnapprovedChange
from pipeline.runtime import clients, redis_client, services, settings

DONE = ("published", "refused")
WITHDRAWN = ("cancelled", "rejected")


class PublishInProgress(TransientError):
    """Another run holds the change request's lock (see the module docstring)."""


def publish_request(ref: Mapping[str, Any]) -> dict[str, Any]:
    """See the module docstring; the stage's result (what the ledger keeps)."""
    change_id = str(ref["change_request"])
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.publish_lock(change_id), timeout=ttl)
    if not lock.acquire(blocking=False):
        raise PublishInProgress(f"{change_id} is being published by another run", 1.0)
    try:
        return _publish(ref)
    finally:
        with suppress(LockError):  # expired: the run outlived the visibility timeout
            lock.release()


def _publish(ref: Mapping[str, Any]) -> dict[str, Any]:
    store_hash, change_id = str(ref["store_hash"]), str(ref["change_request"])
    otcs = clients.otcs()
    if "revert" in ref:
        reverting.file_revert(otcs, UnapprovedChange.from_json(ref["revert"]))
    stored = change_requests.read_request(otcs, change_id)
    if stored.change.store_hash != store_hash:
        raise UnreadableRequest(f"{change_id} names store {stored.change.store_hash}")
    if stored.status in DONE:
        return {**ref, "result": stored.status, "reason": stored.facts.get("Status Reason", "")}
    service_user, _ = change_requests.current_user(otcs)
    rule = policy().of(stored.change.change_type)
    approval, reason = check_approval(otcs, stored, rule, service_user, datetime.now(UTC))
    if stored.status in WITHDRAWN:
        reason = f"{stored.status} before publishing"
    bigcommerce = clients.bigcommerce(store_hash)
    if reason is None:
        observed.expect(redis_client(), stored.change)  # before the write any look can see
        outcome = publish_change(bigcommerce, stored.change)
        if outcome.refused:
            observed.forget(redis_client(), stored.change)
    else:
        outcome = PublishOutcome(change_id, "refused", reason)
    country = str(bigcommerce.store_information().get("country_code") or "US")
    record = PublishRecord.of(stored.change, approval, outcome, country)
    message = document_message(record.spec(), services.staging().put(record.to_json_bytes()))
    send_owed([document_unit(message)])
    if reverting.is_revert(stored.change):
        undone = reverting.reverted_change_id(stored.change)
        observed.note_outcome(
            redis_client(), store_hash, undone, revert=change_id, result=outcome.result
        )
    status = "refused" if outcome.refused else "published"
    change_requests.set_status(otcs, stored.node_id, status, outcome.reason)
    return {
        **ref,
        "result": outcome.result,
        "reason": outcome.reason,
        "receipt": message["record_key"],
    }
