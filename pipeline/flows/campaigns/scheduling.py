"""Publishing a campaign (issue 17 §4): an approved campaign's promotions, created
disabled, are enabled at its start and disabled at its end through `promotion` change
requests of bcrm's own (`<store>-CR-E…` and `<store>-CR-X…`), filed and approved by the
service account on the campaign's authority and published by the publish stage like any
other, each with its receipt (flow 3's revert is the model: `reverting`).

A look owes them from what it read: an enable for each linked promotion that is DISABLED
while its approved campaign is in its window and its version (without status) is the one
the approval bound; a disable for each that is ENABLED once the campaign is closed or past
its end. Each id derives from the store, campaign, promotion and which end, so it is one
ledger unit and one workspace however often it is owed, and it is published once: a
promotion someone disables by hand during the campaign is not enabled again by bcrm.
The publish stage checks the authority again when it publishes (`refusal`): an enable
only while the campaign is approved and in its window (the index as of the last ECM
poll), a disable at the end always (disabling is never a risk to the approval).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.campaigns.offers import PROMOTION, Offer
from pipeline.index.campaigns import Campaign, Campaigns

START_MARK, END_MARK = "-CR-E", "-CR-X"
START_PREFIX, END_PREFIX = "enable at the start of campaign ", "disable at the end of campaign "


def _request(campaign: Campaign, offer: Offer, start: bool) -> ChangeRequest:
    mark, prefix = (START_MARK, START_PREFIX) if start else (END_MARK, END_PREFIX)
    key = f"{campaign.store_hash}\0{campaign.campaign_id}\0{offer.subject}\0{mark}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    after, before = ("ENABLED", "DISABLED") if start else ("DISABLED", "ENABLED")
    return ChangeRequest(
        id=f"{campaign.store_hash}{mark}{digest}",
        store_hash=campaign.store_hash,
        change_type="promotion",
        target=offer.subject,
        after={"status": after},
        before={"status": before},
        reason=f"{prefix}{campaign.campaign_id}",
    )


def due(campaign: Campaign, linked: Iterable[Offer], now: datetime) -> list[ChangeRequest]:
    """The enables and disables the campaign owes its linked promotions now."""
    if not campaign.approved:
        return []
    over = campaign.closed_at is not None or campaign.ends_at <= now
    running = not over and campaign.starts_at <= now
    owed = []
    for offer in linked:
        status = offer.body.get("status")
        if offer.kind != PROMOTION:
            continue
        bound = campaign.approved_fingerprints.get(offer.subject) == offer.approval_fingerprint
        if running and status == "DISABLED" and bound:
            owed.append(_request(campaign, offer, start=True))
        elif over and status == "ENABLED":
            owed.append(_request(campaign, offer, start=False))
    return owed


def is_scheduled(change: ChangeRequest) -> bool:
    return (START_MARK in change.id and change.reason.startswith(START_PREFIX)) or (
        END_MARK in change.id and change.reason.startswith(END_PREFIX)
    )


def refusal(change: ChangeRequest, campaigns: Campaigns) -> str | None:
    """Why the campaign no longer stands behind the change (None: it does)."""
    if change.reason.startswith(END_PREFIX):
        return None
    campaign_id = change.reason.removeprefix(START_PREFIX)
    campaign = campaigns.get(change.store_hash, campaign_id)
    now = datetime.now(UTC)
    if campaign is None or not campaign.approved:
        return f"campaign {campaign_id} is not approved"
    if campaign.closed_at is not None or not campaign.starts_at <= now < campaign.ends_at:
        return f"campaign {campaign_id} is not running now"
    return None
