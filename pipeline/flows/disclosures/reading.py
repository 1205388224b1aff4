"""What one channel's disclosures say, read from the API answers (reference §8).

BigCommerce keeps no history and no dates for any of these, so each answer is turned into
a `Disclosure` whose facts are exactly what a version differs by; the look compares
fingerprints. A page that is hidden or gone is a version too ("withdrawn").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.disclosures import CHECKOUT_TERMS, LIVE, PAGE, PRIVACY, WITHDRAWN, Disclosure

PAGE_FACTS = ("name", "url", "type", "is_visible", "body")
TERMS_FACTS = (
    "is_order_terms_and_conditions_enabled",
    "order_terms_and_conditions_type",
    "order_terms_and_conditions_link",
    "order_terms_and_conditions_textarea",
    "policy_consent",
)
PRIVACY_FACTS = ("ask_shopper_for_tracking_consent", "policy_url")


def page_disclosure(page: Mapping[str, Any]) -> Disclosure:
    """A page as listed with `include=body`; hidden is withdrawn."""
    body = page.get("body") or ""
    return Disclosure(
        kind=PAGE,
        subject=str(page["id"]),
        channel_id=int(page.get("channel_id") or 1),
        name=str(page.get("name") or ""),
        url=str(page.get("url") or ""),
        state=LIVE if page.get("is_visible", True) else WITHDRAWN,
        text=str(body),
        facts={key: page.get(key) for key in PAGE_FACTS},
        raw=dict(page),
    )


def deleted_page(subject: str, channel_id: int, name: str, url: str) -> Disclosure:
    """A page an earlier look saw that this one no longer lists: withdrawn, with no text.
    Its facts say only that it is gone, so every deletion of a page is one version."""
    return Disclosure(
        kind=PAGE,
        subject=subject,
        channel_id=channel_id,
        name=name,
        url=url,
        state=WITHDRAWN,
        text="",
        facts={"deleted": True},
        raw={"id": int(subject), "channel_id": channel_id, "deleted": True},
    )


def terms_text(settings: Mapping[str, Any]) -> str:
    """The terms as the checkout shows them: the link when the type is a link."""
    if settings.get("order_terms_and_conditions_type") == "link":
        return str(settings.get("order_terms_and_conditions_link") or "")
    return str(settings.get("order_terms_and_conditions_textarea") or "")


def checkout_terms_disclosure(channel_id: int, settings: Mapping[str, Any]) -> Disclosure:
    facts = {key: settings.get(key) for key in TERMS_FACTS}
    return Disclosure(
        kind=CHECKOUT_TERMS,
        subject=str(channel_id),
        channel_id=channel_id,
        name=f"Checkout terms and conditions, channel {channel_id}",
        url=str(settings.get("order_terms_and_conditions_link") or ""),
        state=LIVE if settings.get("is_order_terms_and_conditions_enabled") else WITHDRAWN,
        text=terms_text(settings),
        facts=facts,
        raw=dict(settings),
    )


def privacy_disclosure(
    channel_id: int, store_wide: Mapping[str, Any], channel: Mapping[str, Any]
) -> Disclosure:
    """The privacy settings in force on a channel: the channel's own values, and the
    store-wide ones where the channel sets none (both answers are kept raw)."""
    own = channel.get("privacy_settings") or {}
    inherited = store_wide.get("privacy_settings") or {}
    facts = {
        key: own.get(key) if own.get(key) is not None else inherited.get(key)
        for key in PRIVACY_FACTS
    }
    url = str(facts["policy_url"] or "")
    return Disclosure(
        kind=PRIVACY,
        subject=str(channel_id),
        channel_id=channel_id,
        name=f"Customer privacy settings, channel {channel_id}",
        url=url,
        state=LIVE,
        text=url,
        facts=facts,
        raw={"store": dict(store_wide), "channel": dict(channel)},
    )
