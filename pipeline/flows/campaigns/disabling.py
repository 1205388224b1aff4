"""Disabling a promotion that failed a compliance check where `campaigns.toml` says so
(`[checks.<name>] disable = true`): a change request of bcrm's own, filed and approved by
its service account on the policy's authority, and published by the publish stage like
any other (flow 3's revert of an unapproved change is the model: `reverting`). So the
stage re-reads the live promotion and decides (already disabled: adopt; changed since:
refuse as drift), writes `status: DISABLED` once (`PUT /v3/promotions/{id}`, flow 3's
`PromotionUpdate` target) and files its receipt in the request's own workspace; the
next look records the disabled version.

Its id derives from the exception (`<store>-CR-D<10 hex>`), one ledger unit and one
workspace however often a look owes it. The publish stage trusts it only when the ECM's
audit trail names the service account as its creator, no one else changed it, and
`campaigns.toml` still disables that check (`refusal`). Legacy coupons (`/v2/coupons`)
are not publish targets: their exceptions are recorded only.
"""

from __future__ import annotations

import hashlib

from pipeline.core.canvas import OwedUnit
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import policy as approvals_policy
from pipeline.flows.approvals.producer import PUBLISH_TASK, publish_key
from pipeline.flows.campaigns import scheduling
from pipeline.flows.campaigns.items import CampaignException
from pipeline.flows.campaigns.offers import PROMOTION
from pipeline.flows.campaigns.policy import policy
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import services

DISABLE_MARK = "-CR-D"
REASON_PREFIX = "disable by campaigns.toml: "
APPROVALS_FLOW = "approvals"


def disables(exception: CampaignException) -> bool:
    """Whether the policy disables the promotion this exception is about."""
    return exception.subject.startswith(f"{PROMOTION}/") and policy().disables(exception.check)


def disable_request(exception: CampaignException) -> ChangeRequest:
    key = f"{exception.store_hash}\0{exception.id}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return ChangeRequest(
        id=f"{exception.store_hash}{DISABLE_MARK}{digest}",
        store_hash=exception.store_hash,
        change_type="promotion",
        target=exception.subject,
        after={"status": "DISABLED"},
        before={"status": "ENABLED"},
        reason=f"{REASON_PREFIX}{exception.check} {exception.id}",
    )


def is_disable(change: ChangeRequest) -> bool:
    return DISABLE_MARK in change.id and change.reason.startswith(REASON_PREFIX)


def is_campaign_request(change: ChangeRequest) -> bool:
    """A change request flow 7 files itself: a disable, or a campaign's enable or
    disable (`scheduling`)."""
    return is_disable(change) or scheduling.is_scheduled(change)


def refusal(change: ChangeRequest) -> str | None:
    """Why the authority behind one of flow 7's own requests no longer stands (None: it
    does): `campaigns.toml` for a disable, the campaign for its start and end."""
    if scheduling.is_scheduled(change):
        return scheduling.refusal(change, services.archive_index().campaigns)
    check = change.reason.removeprefix(REASON_PREFIX).split(" ", 1)[0]
    if not policy().disables(check):
        return f"campaigns.toml does not disable promotions failing {check}"
    return None


def system_unit(request: ChangeRequest) -> OwedUnit:
    """The publish unit of one of flow 7's own requests; its message carries the request,
    so the stage can file it first."""
    key = publish_key(request.store_hash, request.id)
    ref = {
        "record_key": key,
        "flow": APPROVALS_FLOW,
        "store_hash": request.store_hash,
        "change_request": request.id,
        "campaign_request": request.to_json(),
    }
    return OwedUnit(key, APPROVALS_FLOW, PUBLISH_TASK, [ref])


def disable_unit(exception: CampaignException) -> OwedUnit:
    return system_unit(disable_request(exception))


def file_system(otcs: OTCSClient, request: ChangeRequest) -> None:
    """File (or complete) the request as the service account, approved on its authority,
    valid as long as promotion approvals are (`approvals.toml`)."""
    valid_days = approvals_policy().of(request.change_type).valid_days
    note = f"approved by bcrm: {request.reason}"
    change_requests.file_system_request(otcs, request, valid_days, note)
