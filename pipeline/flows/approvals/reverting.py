"""Reverting an unapproved change where `approvals.toml` says so (`revert_unapproved`): the
revert is a change request of its own, filed and approved by bcrm's service account on
the policy's authority, and published by the same publish stage as any other, so it
re-reads the live object and decides (already restored: adopt; changed again: refuse as
drift), writes once, and files its receipt in its own workspace.

Its id derives from the unapproved change (`<store>-CR-R<10 hex>`: not a number, so
makers' numbering skips it), which makes it one unit in the ledger and one workspace in
the ECM however often a look owes it. Its before-state is what the watch saw, its
after-state the last approved values. The publish stage trusts it only when the ECM's
audit trail names the service account as its creator and the policy still allows the
revert (`approval_check`).
"""

from __future__ import annotations

import hashlib

from pipeline.core.canvas import OwedUnit
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.producer import PUBLISH_TASK, publish_key
from pipeline.flows.approvals.unapproved import FLOW, UnapprovedChange
from pipeline.integrations.otcs.client import OTCSClient

REVERT_MARK = "-CR-R"
REASON_PREFIX = "revert of unapproved change "


def revert_id(change: UnapprovedChange) -> str:
    digest = hashlib.sha256(f"{change.store_hash}\0{change.id}".encode()).hexdigest()
    return f"{change.store_hash}{REVERT_MARK}{digest[:10]}"


def is_revert(change: ChangeRequest) -> bool:
    return REVERT_MARK in change.id and change.reason.startswith(REASON_PREFIX)


def reverted_change_id(change: ChangeRequest) -> str:
    """The unapproved change a revert undoes (named in its reason)."""
    return change.reason.removeprefix(REASON_PREFIX)


def revert_request(change: UnapprovedChange) -> ChangeRequest:
    return ChangeRequest(
        id=revert_id(change),
        store_hash=change.store_hash,
        change_type=change.change_type,
        target=change.target,
        after=dict(change.sanctioned),
        before=dict(change.after),
        reason=f"{REASON_PREFIX}{change.id}",
    )


def revert_unit(change: UnapprovedChange) -> OwedUnit:
    """The publish unit of the revert; its message carries the change, so the stage can
    file the request first."""
    request = revert_request(change)
    key = publish_key(change.store_hash, request.id)
    ref = {
        "record_key": key,
        "flow": FLOW,
        "store_hash": change.store_hash,
        "change_request": request.id,
        "revert": change.to_json(),
    }
    return OwedUnit(key, FLOW, PUBLISH_TASK, [ref])


def file_revert(otcs: OTCSClient, change: UnapprovedChange) -> None:
    """File (or complete) the revert's change request as the service account, approved
    by the policy and valid as long as the change type's approvals are."""
    request = revert_request(change)
    valid_days = policy().of(request.change_type).valid_days
    note = "approved by approvals.toml: revert_unapproved"
    change_requests.file_system_request(otcs, request, valid_days, note)
