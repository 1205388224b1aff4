"""The publish stage's work for one change request (`bcrm.publish.change`): read it from
the ECM, check its approval, publish it (or refuse), hand the receipt (or the refusal
record) to render → classify → declare into the change request's workspace, and mark
the request `published` or `refused`.

A refusal (drift, expired, separation of duties, an approver outside the group, an
edited payload, a request cancelled or rejected meanwhile) is a business outcome with a
record, not a dead letter; what raises (BigCommerce 5xx after the stage's retries, an
unreadable request, a read-back that never verifies) is what a person must look at.
The record's chain is owed before the status is set: a crash in between re-runs the
stage, which finds the same record key (one receipt per change request, see
`PublishRecord.spec`) and sets the status then.

Celery over Redis may deliver two copies of one unit's message at once (a producer's
poll overlapping a retry, a redelivery racing a slow run): a run holds the change
request's lock in Redis, and a copy that finds it held is dropped (`PublishInProgress`,
which the task turns into Celery's Ignore). Nothing waits on the dropped copy: the holder
finishes, or retries by its own message, or dies with its message unacknowledged, which
Redis delivers again after the visibility timeout; and while the request stays approved
every poll owes it again. A copy that retried instead ran out of retries while a killed
worker's lock lived and filed a dead letter for a person although nothing was wrong
(`bcrm chaos publish --long`: eleven). The lock outlives no task: it expires with the
visibility timeout, so a killed worker's lock frees itself in time for the redelivery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from redis.exceptions import LockError

from pipeline.core import keys
from pipeline.core.canvas import document_unit, send_owed
from pipeline.core.messages import DocumentMessage, document_message
from pipeline.flows.approvals import change_requests, observed, recall_gate, reverting
from pipeline.flows.approvals.approval_check import check_approval
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.change_requests import UnreadableRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.publish import PublishOutcome, publish_change
from pipeline.flows.approvals.publish_record import PublishRecord
from pipeline.flows.approvals.unapproved import UnapprovedChange
from pipeline.flows.campaigns import disabling
from pipeline.flows.recalls import takedown, takedown_authority
from pipeline.index.recalls import Recalls
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import clients, redis_client, services, settings

DONE = ("published", "refused")
WITHDRAWN = ("cancelled", "rejected")


class PublishInProgress(Exception):
    """Another run holds the change request's lock: this copy is not needed (see the
    module docstring)."""


def file_by_the_fleet(message: DocumentMessage) -> None:
    """Owe the record's render → classify → declare chain to the worker fleet."""
    send_owed([document_unit(message)])


def publish_request(
    ref: Mapping[str, Any], hand_over: Callable[[DocumentMessage], None] = file_by_the_fleet
) -> dict[str, Any]:
    """See the module docstring; the stage's result (what the ledger keeps). `hand_over`
    files the receipt or refusal record (`bench/publish.py` files it in its own process,
    the serial baseline)."""
    change_id = str(ref["change_request"])
    ttl = settings().visibility_timeout
    lock = redis_client().lock(keys.publish_lock(change_id), timeout=ttl)
    if not lock.acquire(blocking=False):
        raise PublishInProgress(f"{change_id} is being published by another run")
    try:
        return _publish(ref, hand_over)
    finally:
        with suppress(LockError):  # expired: the run outlived the visibility timeout
            lock.release()


def recalls() -> Recalls:
    """The archive index's recalls, opened only when a change needs them."""
    return services.archive_index().recalls


@lru_cache(maxsize=64)
def _country(client: BigCommerceClient) -> str:
    """The store's country, the receipt's jurisdiction (`GET /v2/store` `country_code`):
    it changes rarely, so one call per worker process and store (as the commerce flow's
    seller), not one per publish (`bcrm bench publish`: 4 calls per change, now 3)."""
    return str(client.store_information().get("country_code") or "US")


def _publish(
    ref: Mapping[str, Any], hand_over: Callable[[DocumentMessage], None]
) -> dict[str, Any]:
    store_hash, change_id = str(ref["store_hash"]), str(ref["change_request"])
    otcs = clients.otcs()
    bigcommerce = clients.bigcommerce(store_hash)
    if "revert" in ref:
        reverting.file_revert(otcs, UnapprovedChange.from_json(ref["revert"]))
    gone = None
    if "takedown" in ref:
        gone = takedown.file_takedown(otcs, bigcommerce, store_hash, change_id, ref["takedown"])
    if "campaign_request" in ref:
        disabling.file_system(otcs, ChangeRequest.from_json(ref["campaign_request"]))
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
    is_takedown, recall = takedown.is_takedown(stored.change), None
    if is_takedown:
        recall, refused = takedown_authority.authority(recalls(), stored.change)
        reason = reason or refused or gone
    reason = reason or recall_gate.refusal(stored.change, lambda: recalls().open_items(store_hash))
    if reason is None:
        observed.expect(redis_client(), stored.change)  # before the write any look can see
        outcome = publish_change(bigcommerce, stored.change)
        if outcome.refused:
            observed.forget(redis_client(), stored.change)
    else:
        outcome = PublishOutcome(change_id, "refused", reason)
    evidence = takedown_authority.evidence(recall, stored.change, outcome) if is_takedown else None
    record = PublishRecord.of(stored.change, approval, outcome, _country(bigcommerce), evidence)
    message = document_message(record.spec(), services.staging().put(record.to_json_bytes()))
    hand_over(message)
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
