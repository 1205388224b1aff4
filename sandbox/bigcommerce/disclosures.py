"""The true history of every disclosure: each change to a content page, the checkout terms
or the privacy settings, in order, with the store's time and the content after it.

BigCommerce keeps no such history; the emulator does, so tests can hold what bcrm
captured against what the store really showed at any moment (`GET /admin/disclosures/changes`).
Each change also fires its webhook (channels.mdx): `store/channel/{id}/page/created|updated`
with `data: {page_id}`, `store/channel/{id}/settings/checkout/updated` and
`.../settings/customerPrivacy/updated`. The docs list no page-deleted scope, so a deleted
page is logged (content ``None``: withdrawn) without a webhook. Settings payloads are not
documented (the docs' example shows an unrelated `category_id`); we send `{channel_id}`.
A change made with ``notify=False`` is logged but fires nothing: a dropped delivery.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .state import Store

CHECKOUT_TERMS_FIELDS = (
    "is_order_terms_and_conditions_enabled",
    "order_terms_and_conditions_type",
    "order_terms_and_conditions_link",
    "order_terms_and_conditions_textarea",
    "policy_consent",
)


def _log(
    store: Store,
    kind: str,
    subject: int,
    channel: int,
    event: str,
    content: dict[str, Any] | None,
    hooks: list[tuple[str, dict[str, Any]]],
    notify: bool,
) -> None:
    """Append the change to the log, then fire its webhooks (unless the delivery is to be
    dropped)."""
    at = store.clock()
    store.disclosure_log.append(
        {
            "seq": len(store.disclosure_log) + 1,
            "at": at,
            "at_iso": datetime.fromtimestamp(at, UTC).isoformat(timespec="microseconds"),
            "channel_id": channel,
            "kind": kind,
            "subject": subject,
            "event": event,
            "content": content,
            "webhooks": [scope for scope, _ in hooks] if notify else [],
        }
    )
    for scope, data in hooks if notify else ():
        store.emit(scope, data)


def page_changed(store: Store, page: dict[str, Any], event: str, *, notify: bool = True) -> None:
    """A page was created, updated or deleted (``event``); deleted logs it withdrawn."""
    channel, pid = page["channel_id"], page["id"]
    if event == "deleted":
        _log(store, "page", pid, channel, event, None, [], notify)
        return
    hooks = [(f"store/channel/{channel}/page/{event}", {"page_id": pid})]
    _log(store, "page", pid, channel, event, dict(page), hooks, notify)


def _settings_hooks(store: Store, channel: int, setting: str) -> list[tuple[str, dict[str, Any]]]:
    """A channel's write fires for that channel; a store-wide write (channel 0) for every
    storefront, since each inherits the store default where it sets nothing itself."""
    channels = sorted(store.channels) if channel == 0 else [channel]
    return [
        (f"store/channel/{each}/settings/{setting}/updated", {"channel_id": each})
        for each in channels
    ]


def store_checkout_changed(store: Store) -> None:
    """The store-wide checkout settings (custom checkout scripts, no terms) changed: every
    storefront's checkout is affected, though no disclosure is, so nothing is logged."""
    for scope, data in _settings_hooks(store, 0, "checkout"):
        store.emit(scope, data)


def checkout_terms_changed(store: Store, channel: int, *, notify: bool = True) -> None:
    settings = store.checkout_settings[channel]
    content = {key: settings[key] for key in CHECKOUT_TERMS_FIELDS}
    hooks = _settings_hooks(store, channel, "checkout")
    _log(store, "checkout_terms", channel, channel, "updated", content, hooks, notify)


def privacy_changed(store: Store, channel: int, *, notify: bool = True) -> None:
    content = dict(store.customer_settings[channel]["privacy_settings"])
    hooks = _settings_hooks(store, channel, "customerPrivacy")
    _log(store, "privacy", channel, channel, "updated", content, hooks, notify)
