"""Does a stored change request's approval stand right now: the ECM's facts (hashes,
decision, expiry), its audit trail and group membership (`approval`), and the policy's
second-approver threshold (`approvals.toml`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from pipeline.flows.approvals.approval import Trail, refusal, trail_of
from pipeline.flows.approvals.change_requests import StoredRequest
from pipeline.flows.approvals.policy import TypePolicy
from pipeline.flows.approvals.reverting import is_revert
from pipeline.flows.campaigns.disabling import is_campaign_request
from pipeline.flows.campaigns.disabling import refusal as campaign_refusal
from pipeline.flows.recalls.takedown import is_takedown
from pipeline.integrations.otcs.client import OTCSClient


@dataclass(frozen=True)
class ApprovalFacts:
    """What the receipt states of the approval: who (from the audit trail) and when."""

    requester: int
    approver: int | None
    decided_at: str
    expires_at: str


def approver_ids(otcs: OTCSClient, group_name: str) -> frozenset[int]:
    """The users in the group (`/v2/members?where_type=1&where_name=`, then its members)."""
    groups = otcs.request("GET", "v2/members", params={"where_type": 1, "where_name": group_name})
    ids = [
        r["data"]["properties"]["id"]
        for r in groups.get("results") or []
        if str(r["data"]["properties"].get("name", "")).lower() == group_name.lower()
    ]  # `where_name` may match a part of the name (unconfirmed): keep the exact one
    if not ids:
        return frozenset()
    answer = otcs.request("GET", f"v2/members/{ids[0]}/members", params={"where_type": 0})
    return frozenset(int(r["data"]["properties"]["id"]) for r in answer.get("results") or [])


def audit_trail(otcs: OTCSClient, node_id: int, service_user: int) -> Trail:
    entries = [
        entry
        for page in otcs.pages(f"v2/nodes/{node_id}/audit", {"sort": "asc_audit_date"})
        for entry in page["results"]["data"]["audit"]
    ]
    return trail_of(entries, service_user)


def _price_drop_pct(stored: StoredRequest) -> float:
    before, after = stored.change.before or {}, stored.change.after
    try:
        old, new = Decimal(str(before["price"])), Decimal(str(after["price"]))
    except (KeyError, InvalidOperation):
        return 0.0
    return float((old - new) / old * 100) if old > 0 else 0.0


def check_approval(
    otcs: OTCSClient, stored: StoredRequest, rule: TypePolicy, service_user: int, now: datetime
) -> tuple[ApprovalFacts, str | None]:
    """The approval's facts and why it does not stand (None: it does). A revert bcrm filed
    itself (`reverting`: the audit trail names the service account as its creator, and no
    one else changed it since) stands on the policy, not on an approver; the value it
    restores was approved before. So do flow 7's own requests (`campaigns.disabling`): a
    disable on `campaigns.toml`'s authority, a campaign's enable and disable on its
    approval's. A recall's takedown bcrm filed stands on the recall's decision, which the
    publish stage checks (`takedown_authority`)."""
    facts, change = stored.facts, stored.change
    trail = audit_trail(otcs, stored.node_id, service_user)
    takedown = is_takedown(change)  # stands on its recall: `takedown_authority`
    campaign = is_campaign_request(change)
    system = (is_revert(change) or takedown or campaign) and trail.requester == service_user
    approver = service_user if system else (trail.editors[-1] if trail.editors else None)
    approval = ApprovalFacts(
        trail.requester, approver, facts.get("Decided At", ""), facts.get("Expires At", "")
    )
    if facts.get("Payload SHA-256") != change.payload_sha256:
        return approval, "payload edited: the request document no longer has the approved hash"
    if facts.get("Before SHA-256") != change.before_sha256:
        return approval, "before-state edited: it no longer has the approved hash"
    if system:
        if campaign:
            policy_refusal = campaign_refusal(change)
        elif takedown or rule.revert_unapproved:
            policy_refusal = None
        else:
            policy_refusal = f"approvals.toml does not revert unapproved {change.change_type}"
        if policy_refusal is not None:
            return approval, policy_refusal
        if trail.editors:
            what = "takedown" if takedown else "revert"
            return approval, f"user {trail.editors[-1]} edited a {what} bcrm filed"
        approvers: frozenset[int] = frozenset()
    else:
        decided_by = facts.get("Decided By", "")
        approvers = approver_ids(otcs, rule.approver_group)
        reason = refusal(
            trail,
            int(decided_by) if decided_by.isdigit() else None,
            facts.get("Decision", ""),
            approvers,
        )
        if reason is not None:
            return approval, reason
    expires = approval.expires_at
    if not expires or datetime.fromisoformat(expires) <= now.astimezone(UTC):
        return approval, f"expired: the approval was valid until {expires or 'never set'}"
    pct = rule.second_approver_above_pct
    if not system and pct and _price_drop_pct(stored) > pct:
        distinct = {e for e in trail.editors if e in approvers and e != trail.requester}
        if len(distinct) < 2:
            return approval, f"a price drop over {pct:g} % needs a second approver"
    return approval, None
