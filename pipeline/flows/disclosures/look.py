"""One look at a channel's disclosures: record the change event that woke it, read every
disclosure through the store's governed client, note pages that are gone, and write the
sightings to the archive index, all under one lock per store and channel so the runs of
sightings are appended in time order. Each disclosure of the look it returns carries when
its version was first seen, so two looks that both owe a version not yet filed render the
same record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from pipeline.core import keys
from pipeline.flows.disclosures.reading import (
    checkout_terms_disclosure,
    deleted_page,
    page_disclosure,
    privacy_disclosure,
)
from pipeline.index.disclosures import ChangeEvent, DisclosureIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import NotFound
from pipeline.runtime.log import log_event
from schemas.disclosures import CHECKOUT_TERMS, PAGE, PRIVACY, Disclosure, DisclosureLook

# A new hook "can take up to one minute to start" (reference §9.1): until then, unwatched.
HOOK_STARTUP = timedelta(minutes=1)
# The change-webhook scopes per disclosure kind (bigcommerce/docs channels.mdx).
SCOPES = {
    PAGE: ("store/channel/{channel}/page/created", "store/channel/{channel}/page/updated"),
    CHECKOUT_TERMS: ("store/channel/{channel}/settings/checkout/updated",),
    PRIVACY: ("store/channel/{channel}/settings/customerPrivacy/updated",),
}


def channel_scopes(channel_id: int) -> tuple[str, ...]:
    return tuple(s.format(channel=channel_id) for scopes in SCOPES.values() for s in scopes)


def _covers(hook_scope: str, scope: str) -> bool:
    return hook_scope == scope or (hook_scope.endswith("/*") and scope.startswith(hook_scope[:-1]))


def watched(hooks: Iterable[Mapping[str, Any]], channel_id: int, at: datetime) -> bool:
    """Whether every change scope of the channel has an active hook that has been running
    (unchanged) for at least a minute: only then does silence mean no change."""
    settled = (at - HOOK_STARTUP).timestamp()
    live = [
        str(h["scope"])
        for h in hooks
        if h.get("is_active") and float(h.get("updated_at") or h.get("created_at") or 0) <= settled
    ]
    return all(any(_covers(h, s) for h in live) for s in channel_scopes(channel_id))


def channel_ids(client: BigCommerceClient) -> list[int]:
    """The store's channels; every store has channel 1 (the default storefront), which is
    all there is to look at where the store answers no channel list."""
    try:
        return sorted({int(c["id"]) for c in client.iter_channels()} or {1})
    except NotFound:
        return [1]


def read_channel(client: BigCommerceClient, channel_id: int) -> list[Disclosure]:
    """Every page of the channel, its checkout terms and its privacy settings."""
    pages = [page_disclosure(p) for p in client.iter_pages(channel_id)]
    terms = checkout_terms_disclosure(channel_id, client.checkout_settings(channel_id))
    privacy = privacy_disclosure(
        channel_id, client.customer_settings(), client.customer_settings(channel_id)
    )
    return [*pages, terms, privacy]


def _gone(
    index: DisclosureIndex, store_hash: str, channel_id: int, listed: set[str]
) -> list[Disclosure]:
    """Pages seen before whose newest version is not already the deletion."""
    gone = []
    for subject, version in index.newest_pages(store_hash, channel_id).items():
        deletion = deleted_page(subject, channel_id, version.name, version.url)
        if subject not in listed and version.fingerprint != deletion.fingerprint:
            gone.append(deletion)
    return gone


def change_event(store_hash: str, channel_id: int, event: Mapping[str, Any]) -> ChangeEvent:
    return ChangeEvent(
        store_hash=store_hash,
        hash=str(event["hash"]),
        kind=str(event["kind"]),
        subject=str(event["subject"]),
        channel_id=channel_id,
        scope=str(event["scope"]),
        occurred_at=datetime.fromtimestamp(int(event["occurred_at"]), tz=UTC),
    )


def take_look(
    client: BigCommerceClient,
    lock_client: redis.Redis,
    index: DisclosureIndex,
    ref: Mapping[str, Any],
    record_key_of: Callable[[str, Disclosure], str],
    lock_timeout_s: float,
) -> DisclosureLook:
    """The look `ref` asks for (see `intake.look_ref`), recorded in the index."""
    store_hash, channel_id = str(ref["store_hash"]), int(ref["channel_id"])
    event = ref.get("event")
    lock = lock_client.lock(
        keys.poll_lock(store_hash, f"disclosures-{channel_id}"),
        timeout=lock_timeout_s,
        blocking_timeout=lock_timeout_s,
    )
    with lock:
        if event is not None:
            index.record_event(change_event(store_hash, channel_id, event), datetime.now(UTC))
        hooks = list(client.iter_hooks())
        disclosures = read_channel(client, channel_id)
        looked_at = datetime.now(UTC)
        listed = {d.subject for d in disclosures if d.kind == PAGE}
        disclosures += _gone(index, store_hash, channel_id, listed)
        look = DisclosureLook(
            store_hash=store_hash,
            channel_id=channel_id,
            looked_at=looked_at,
            watched=watched(hooks, channel_id, looked_at),
            reason=str(ref["reason"]),
            disclosures=tuple(disclosures),
        )
        index.record_look(look, {d.fingerprint: record_key_of(store_hash, d) for d in disclosures})
        first = index.first_seen(store_hash, [d.fingerprint for d in disclosures])
        dated = tuple(replace(d, first_seen=first[d.fingerprint]) for d in disclosures)
        look = replace(look, disclosures=dated)
        if event is not None:
            lock_client.srem(keys.disclosure_pending(store_hash, channel_id), str(event["hash"]))
    log_event(
        "disclosures.looked",
        store_hash=store_hash,
        channel_id=channel_id,
        reason=look.reason,
        disclosures=len(disclosures),
        watched=look.watched,
    )
    return look
