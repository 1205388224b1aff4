"""The compliance checks of a promotion (or legacy coupon) against the campaigns it is
linked to (issue 17 §3), as plain functions of what was read and what the archive index
says was approved; each failure is a `Finding` the look records once.

- `unapproved_live`: live (enabled, in its window) and no linked campaign is approved.
- `outside_window`, `outside_channels`, `outside_countries`, `outside_currencies`: live,
  approved, but now is outside every approved campaign's start and end, or it runs on a
  channel, ships to a country or charges in a currency the approval does not cover. An
  approval that names no channels (countries, currencies) restricts none; a promotion on
  every channel (`channels: []`) is outside an approval that names some.
- `above_max_discount`: its largest percentage discount is above the largest the
  campaign approved (fixed amounts are not compared: their size depends on the cart).
- `changed_after_approval`: the version is not the one the approval bound (the
  promotion's fingerprint, without its status, in the campaign's approved scope).
- `created_outside_workflow`: created in the control panel (`created_from` react_ui or
  legacy_ui, reference flows-2-3-4-6-7.md flow 7), whatever else holds.

The scope checks hold a promotion against its approved campaigns only: with several, it
passes when one of them covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.flows.campaigns import offers
from pipeline.flows.campaigns.offers import Offer
from pipeline.index.campaigns import Campaign

UNAPPROVED_LIVE = "unapproved_live"
OUTSIDE_WINDOW = "outside_window"
OUTSIDE_CHANNELS = "outside_channels"
OUTSIDE_COUNTRIES = "outside_countries"
OUTSIDE_CURRENCIES = "outside_currencies"
ABOVE_MAX_DISCOUNT = "above_max_discount"
CHANGED_AFTER_APPROVAL = "changed_after_approval"
CREATED_OUTSIDE_WORKFLOW = "created_outside_workflow"
CHECKS = (
    UNAPPROVED_LIVE,
    OUTSIDE_WINDOW,
    OUTSIDE_CHANNELS,
    OUTSIDE_COUNTRIES,
    OUTSIDE_CURRENCIES,
    ABOVE_MAX_DISCOUNT,
    CHANGED_AFTER_APPROVAL,
    CREATED_OUTSIDE_WORKFLOW,
)
# Found once per promotion, not once per version: where it was created never changes.
ONCE_PER_OFFER = frozenset({CREATED_OUTSIDE_WORKFLOW})


@dataclass(frozen=True)
class Finding:
    """One failed check: which, why (one sentence) and the campaign it is about ("" for
    none)."""

    check: str
    detail: str
    campaign_id: str = ""


def _uncovered(wanted: tuple[str, ...] | None, approved: tuple[str, ...]) -> list[str] | None:
    """What of `wanted` (None: everything) an approval of `approved` (empty: everything)
    leaves out; None when all is covered."""
    if not approved:
        return None
    if wanted is None:
        return ["all"]
    missing = [w for w in wanted if w not in approved]
    return missing or None


def _scope(offer: Offer, campaign: Campaign, now: datetime) -> list[Finding]:
    found, cid = [], campaign.campaign_id
    if not campaign.starts_at <= now < campaign.ends_at:
        found.append(
            Finding(
                OUTSIDE_WINDOW,
                f"live at {now.isoformat(timespec='seconds')}, "
                f"approved from {campaign.starts_at.isoformat()} to "
                f"{campaign.ends_at.isoformat()}",
                cid,
            )
        )
    channel_ids = offers.channels(offer)
    wanted = None if channel_ids is None else tuple(str(c) for c in channel_ids)
    missing = _uncovered(wanted, tuple(str(c) for c in campaign.channels))
    if missing:
        found.append(
            Finding(
                OUTSIDE_CHANNELS,
                f"runs on channel(s) {', '.join(missing)}, "
                f"approved {', '.join(map(str, campaign.channels))}",
                cid,
            )
        )
    missing = _uncovered(offers.countries(offer), campaign.countries)
    if missing:
        found.append(
            Finding(
                OUTSIDE_COUNTRIES,
                f"ships to {', '.join(missing)}, approved {', '.join(campaign.countries)}",
                cid,
            )
        )
    code = offers.currency(offer)
    missing = _uncovered(None if code is None else (code,), campaign.currencies)
    if missing:
        found.append(
            Finding(
                OUTSIDE_CURRENCIES,
                f"in currency {', '.join(missing)}, approved {', '.join(campaign.currencies)}",
                cid,
            )
        )
    return found


def _bound(offer: Offer, campaign: Campaign) -> list[Finding]:
    found, cid = [], campaign.campaign_id
    largest, maximum = offers.largest_percentage(offer), campaign.max_discount_percent
    if largest is not None and maximum is not None and largest > maximum:
        found.append(
            Finding(ABOVE_MAX_DISCOUNT, f"{largest:f} % off, approved at most {maximum:f} %", cid)
        )
    approved = campaign.approved_fingerprints.get(offer.subject)
    if approved is not None and approved != offer.approval_fingerprint:
        found.append(
            Finding(
                CHANGED_AFTER_APPROVAL,
                f"version {offer.approval_fingerprint[:12]} is not the approved {approved[:12]}",
                cid,
            )
        )
    return found


def check_offer(offer: Offer, linked: list[Campaign], now: datetime) -> list[Finding]:
    """Every check `offer` fails now against the campaigns it is `linked` to."""
    found: list[Finding] = []
    if offers.created_in_control_panel(offer):
        found.append(
            Finding(CREATED_OUTSIDE_WORKFLOW, f"created_from {offer.body.get('created_from')}")
        )
    approved = [c for c in linked if c.approved]
    is_live = offers.live(offer, now)
    if is_live and not approved:
        named = ", ".join(c.campaign_id for c in linked) or "none"
        found.append(Finding(UNAPPROVED_LIVE, f"live with no approved campaign (linked: {named})"))
    if is_live and approved:
        per_campaign = [_scope(offer, c, now) for c in approved]
        if all(per_campaign):
            found.extend(per_campaign[0])
    for campaign in approved:
        found.extend(_bound(offer, campaign))
    return found
