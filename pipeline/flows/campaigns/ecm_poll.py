"""The ECM poller of flow 7: beat reads every Campaign workspace of a store and saves
what the ECM says into the archive index (`Campaigns.save`, `link`), so the promotion
checks ask the index, not the ECM, once per promotion and look.

A decision counts only as the ECM's own records show it: the approver is the last user
who changed the campaign's category (its audit trail, `approval_check.audit_trail`),
who must differ from the requester, belong to the approver group `approvals.toml` names
for `promotion` changes, and be the "Decided By" of the category (`approval.refusal`,
flow 3's rule). A campaign whose "approved" does not stand is saved `unverified`: its
promotions are then unapproved. A closed campaign keeps the approval it had when it was
closed (closing is a category change by whoever closes it). A closed campaign is not
read again: a poll costs about six Content Server calls per open campaign (category,
scope folder and document, audit trail, approver group).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pipeline.flows.approvals.approval import refusal
from pipeline.flows.approvals.approval_check import approver_ids, audit_trail
from pipeline.flows.approvals.change_requests import current_user
from pipeline.flows.approvals.policy import policy
from pipeline.flows.campaigns import workspace
from pipeline.index.campaigns import COUPON, PROMOTION, Campaign, Campaigns
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime.log import log_event

UNVERIFIED = "unverified"


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decision(
    otcs: OTCSClient, node_id: int, facts: dict[str, Any], service_user: int
) -> tuple[str, str | None, datetime | None]:
    """(decision, decided by, decided at) as the audit trail bears them out."""
    decision = str(facts.get("Decision") or "")
    if not decision:
        return workspace.REQUESTED, None, None
    trail = audit_trail(otcs, node_id, service_user)
    decided_by = str(facts.get("Decided By") or "")
    group = policy().of("promotion").approver_group
    reason = refusal(
        trail,
        int(decided_by) if decided_by.isdigit() else None,
        decision,
        approver_ids(otcs, group),
    )
    if decision == workspace.APPROVED and reason is not None:
        log_event("campaigns.approval_refused", logging.WARNING, node_id=node_id, reason=reason)
        return UNVERIFIED, None, None
    return decision, decided_by or None, _moment(facts.get("Decided At"))


def read_campaign(
    otcs: OTCSClient,
    node_id: int,
    store_hash: str,
    campaign_id: str,
    service_user: int,
    known: Campaign | None,
) -> Campaign:
    """The campaign as the ECM holds it now (`known`: as the index had it)."""
    facts = workspace.facts_of(otcs, node_id)
    scope = workspace.read_scope(otcs, node_id, store_hash, campaign_id)
    closed = facts.get("Campaign Status") == workspace.CLOSED
    if closed and known is not None:
        decision = workspace.CLOSED if known.approved else known.decision
        decided_by, decided_at = known.decided_by, known.decided_at
    else:
        decision, decided_by, decided_at = _decision(otcs, node_id, facts, service_user)
        if closed:
            decision = workspace.CLOSED if decision == workspace.APPROVED else decision
    starts, ends = _moment(scope.starts_at), _moment(scope.ends_at)
    assert starts is not None and ends is not None
    return Campaign(
        store_hash=store_hash,
        campaign_id=campaign_id,
        name=scope.name,
        starts_at=starts,
        ends_at=ends,
        channels=scope.channels,
        countries=scope.countries,
        currencies=scope.currencies,
        max_discount_percent=(
            Decimal(scope.max_discount_percent) if scope.max_discount_percent else None
        ),
        approved_fingerprints={s: fp for s, fp in scope.promotions.items() if fp},
        decision=decision,
        requested_by=str(facts.get("Requested By") or ""),
        decided_by=decided_by,
        decided_at=decided_at,
        closed_at=_moment(facts.get("Closed At")) if closed else None,
        workspace_id=node_id,
    )


def poll_campaigns(otcs: OTCSClient, campaigns: Campaigns, store_hash: str) -> int:
    """Save every campaign of the store as the ECM says it now, and its links; how many."""
    service_user, _ = current_user(otcs)
    prefix = workspace.workspace_name(workspace.bo_id(store_hash, ""))
    count = 0
    for node in otcs.workspaces(workspace.EXT_SYSTEM, workspace.BO_TYPE):
        campaign_id = node.name.removeprefix(prefix)
        if not node.name.startswith(prefix) or not campaign_id.isdigit():
            continue
        known = campaigns.get(store_hash, campaign_id)
        if known is not None and known.closed_at is not None:
            continue  # closed is final: not read again, so a poll costs the open ones
        try:
            campaign = read_campaign(otcs, node.id, store_hash, campaign_id, service_user, known)
            scope = workspace.read_scope(otcs, node.id, store_hash, campaign_id)
        except (workspace.UnknownCampaign, ValueError, KeyError, TypeError) as exc:
            # One campaign a person left unreadable (no scope document, a date that is not
            # one) must not keep the store's other campaigns from the index.
            log_event(
                "campaigns.unreadable",
                logging.WARNING,
                store_hash=store_hash,
                campaign=campaign_id,
                error=str(exc)[:200],
            )
            continue
        campaigns.save(campaign)
        promotions = [s.split("/", 1)[1] for s in scope.promotions if s.startswith("promotion/")]
        campaigns.link(store_hash, campaign_id, PROMOTION, promotions)
        campaigns.link(store_hash, campaign_id, COUPON, scope.coupons)
        count += 1
    log_event("campaigns.polled", store_hash=store_hash, campaigns=count)
    return count
