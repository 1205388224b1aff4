"""Flow 7's look at a store's promotions: beat owes one per store and
BCRM_PROMOTION_POLL_INTERVAL_S (a fetch, `bcrm.fetch.promotions`, so the ledger knows
it before its message exists and re-drive resends a lost one). The look reads every
promotion and legacy coupon (`offers`), records each new version, runs the checks
against the campaigns the archive index holds (`checks`), finds the campaigns that are
over, remembers it all (`memory`) and stages every item whose record is still owed, for
the flow to file. One look per store at a time (a lock that expires with the visibility
timeout, like flow 3's watch).

The look is the one reader of `/v3/promotions` where both flows run: it hands flow 3's
watch the governed fields of what it read (`watch_promotions`), and the watch then reads
only the catalog. A look costs one call per 250 promotions, one per coupon promotion for
its codes, and one per 250 legacy coupons.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.contract import FetchedSource
from pipeline.core.names import fetch_key
from pipeline.flows.approvals import observed
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.governed import promotion_observation
from pipeline.flows.campaigns import memory, scheduling
from pipeline.flows.campaigns.checks import check_offer
from pipeline.flows.campaigns.items import (
    CampaignException,
    Item,
    PromotionVersion,
    closeout_id,
    dumps,
    loads,
)
from pipeline.flows.campaigns.offers import PROMOTION, Offer, read_offers
from pipeline.flows.campaigns.price_records import PriceRecords
from pipeline.flows.commerce.pollers import Checkpoints
from pipeline.index.campaigns import COUPON, Campaign, Campaigns
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import clients, redis_client, services, settings
from pipeline.runtime.log import log_event

FLOW = "campaigns"
LOOK = "promotions"
FETCH_LOOK_TASK = f"bcrm.fetch.{LOOK}"


@dataclass(frozen=True)
class CampaignLook:
    """One look at a store's promotions: every item whose record is owed (found by this
    look or an earlier one), the store's country for their class, and the enables and
    disables its campaigns owe now (`scheduling`)."""

    store_hash: str
    looked_at: str
    country: str
    owed: tuple[Item, ...]
    scheduled: tuple[ChangeRequest, ...] = ()

    def item(self, item_id: str) -> Item:
        return next(i for i in self.owed if i.id == item_id)

    def to_json_bytes(self) -> bytes:
        body = {
            "store_hash": self.store_hash,
            "looked_at": self.looked_at,
            "country": self.country,
            "owed": [json.loads(dumps(i)) for i in self.owed],
            "scheduled": [c.to_json() for c in self.scheduled],
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> CampaignLook:
        body = json.loads(raw)
        owed = tuple(loads(json.dumps(i)) for i in body["owed"])
        scheduled = tuple(ChangeRequest.from_json(c) for c in body["scheduled"])
        return cls(body["store_hash"], body["looked_at"], body["country"], owed, scheduled)


def look_ref(store_hash: str, reason: str, event_id: str) -> dict[str, Any]:
    """The fetch message of one look; one per event (a beat tick)."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    return {
        "record_key": fetch_key(LOOK, store_hash, "promotions", digest),
        "store_hash": store_hash,
        "reason": reason,
    }


def enqueue_look(store_hash: str, reason: str, event_id: str) -> str:
    """Owe and send one look; the Celery id of its message."""
    ref = look_ref(store_hash, reason, event_id)
    [task_id] = send_owed([OwedUnit(ref["record_key"], FLOW, FETCH_LOOK_TASK, [ref])])
    return task_id


def _linked(
    offer: Offer, campaigns: Mapping[str, Campaign], links: Mapping[tuple[str, str], list[str]]
) -> list[Campaign]:
    """The campaigns a promotion is linked to, by its id or any of its codes."""
    ids: set[str] = set()
    if offer.kind == PROMOTION:
        ids.update(links.get((PROMOTION, offer.id), ()))
    for code in offer.codes:
        ids.update(links.get((COUPON, code), ()))
    return sorted((campaigns[i] for i in ids if i in campaigns), key=lambda c: c.starts_at)


def _home(linked: list[Campaign]) -> str:
    """Where its records go: its approved campaign, else the first it is linked to, else
    the store's unlinked promotions ("")."""
    approved = [c for c in linked if c.approved]
    return (approved or linked)[0].campaign_id if linked else ""


def _versions(
    store_hash: str, offers: list[Offer], before: dict[str, dict], homes: dict[str, str], at: str
) -> tuple[list[PromotionVersion], dict[str, dict]]:
    found, entries = [], {}
    for offer in offers:
        entry = before.get(offer.subject)
        fingerprint, seen = offer.fingerprint, (entry or {}).get("versions", [])
        if entry is not None and entry["fingerprint"] == fingerprint:
            continue
        if fingerprint in seen:
            assert entry is not None
            entries[offer.subject] = {
                **entry,
                "fingerprint": fingerprint,
                "returns": entry.get("returns", 0) + 1,
            }
            log_event(
                "campaigns.version_returned",
                store_hash=store_hash,
                subject=offer.subject,
                fingerprint=fingerprint[:12],
            )
            continue
        found.append(
            PromotionVersion(
                store_hash,
                offer.subject,
                fingerprint,
                offer.body,
                list(offer.codes),
                at,
                homes[offer.subject],
                len(seen) + 1,
            )
        )
        entries[offer.subject] = {
            "fingerprint": fingerprint,
            "versions": [*seen, fingerprint],
            "returns": (entry or {}).get("returns", 0),
        }
    return found, entries


def _over(campaigns: Mapping[str, Campaign], now: datetime) -> list[Campaign]:
    """The approved campaigns that are closed or past their end: each owes a closeout."""
    return [
        c
        for c in campaigns.values()
        if c.approved and (c.closed_at is not None or c.ends_at <= now)
    ]


def observe(
    lock_client: redis.Redis,
    index: Campaigns,
    prices: PriceRecords,
    offers: list[Offer],
    now: datetime,
) -> tuple[list[Item], list[ChangeRequest]]:
    """Decide what this look found and remember it (see `memory`); the new items, and
    the enables and disables the store's campaigns owe now. Evidence and closeouts are
    computed only for what is new (they read the index and the store)."""
    store_hash = prices.store_hash
    at = now.isoformat(timespec="seconds")
    campaigns = {c.campaign_id: c for c in index.listed(store_hash)}
    links = index.link_map(store_hash)
    linked = {o.subject: _linked(o, campaigns, links) for o in offers}
    homes = {subject: _home(found) for subject, found in linked.items()}
    before = memory.seen(lock_client, store_hash, [o.subject for o in offers])
    versions, entries = _versions(store_hash, offers, before, homes, at)
    exceptions = [
        CampaignException(
            store_hash,
            finding.check,
            offer.subject,
            offer.fingerprint,
            finding.campaign_id or homes[offer.subject],
            finding.detail,
            at,
            offer.name,
        )
        for offer in offers
        for finding in check_offer(offer, linked[offer.subject], now)
    ]
    candidates: list[Item] = [*versions, *exceptions]
    over = _over(campaigns, now)
    old = memory.known(
        lock_client,
        store_hash,
        [*(i.id for i in candidates), *(closeout_id(c.campaign_id) for c in over)],
    )
    found = list({i.id: i for i in candidates if i.id not in old}.values())
    found += [
        evidence
        for version in versions
        if version.id not in old and (evidence := prices.evidence_of(version, now)) is not None
    ]
    found += [prices.closeout_of(c, links) for c in over if closeout_id(c.campaign_id) not in old]
    memory.remember(
        lock_client,
        store_hash,
        entries,
        found,
        lambda i: i.check if isinstance(i, CampaignException) else None,
    )
    for item in found:
        if isinstance(item, CampaignException):
            log_event(
                "campaigns.exception",
                logging.WARNING,
                store_hash=store_hash,
                check=item.check,
                subject=item.subject,
                campaign=item.campaign_id,
            )
    scheduled = [
        change
        for campaign in campaigns.values()
        for change in scheduling.due(
            campaign, [o for o in offers if campaign in linked[o.subject]], now
        )
    ]
    return found, scheduled


def watch_promotions(
    lock_client: redis.Redis, store_hash: str, rows: list[dict[str, Any]], now: datetime
) -> None:
    """Hand flow 3's watch what it governs of the promotions just read (their rules and
    status), so `/v3/promotions` has one reader: the watch compares them with what it saw
    and remembers the unapproved changes its next look files. Its targets are only
    promotions here, and only products in its own look, so the two never write the same
    entries."""
    for change in observed.observe(
        lock_client, store_hash, [promotion_observation(row, now) for row in rows], now
    ):
        log_event(
            "governed.unapproved_change",
            logging.WARNING,
            store_hash=store_hash,
            change=change.id,
            change_type=change.change_type,
            fields=sorted(change.after),
        )


def _country(client: BigCommerceClient, owed: tuple[Item, ...]) -> str:
    """The store's country (`GET /v2/store` `country_code`), asked only when a record is
    owed."""
    return str(client.store_information().get("country_code") or "US") if owed else ""


def take_look(
    client: BigCommerceClient,
    lock_client: redis.Redis,
    index: ArchiveIndex,
    store_hash: str,
    lock_timeout_s: float,
) -> CampaignLook:
    lock = lock_client.lock(
        keys.poll_lock(store_hash, LOOK), timeout=lock_timeout_s, blocking_timeout=lock_timeout_s
    )
    with lock:
        now = datetime.now(UTC)
        rows = list(client.iter_v3("/promotions"))
        offers = read_offers(client, rows)
        watch_promotions(lock_client, store_hash, rows, now)
        prices = PriceRecords(index, client, store_hash)
        found, scheduled = observe(lock_client, index.campaigns, prices, offers, now)
        owed = tuple(memory.pending(lock_client, store_hash))
    country = _country(client, owed)
    Checkpoints(lock_client).polled(store_hash, LOOK, now)
    log_event(
        "campaigns.looked",
        store_hash=store_hash,
        offers=len(offers),
        found=len(found),
        owed=len(owed),
    )
    at = now.isoformat(timespec="seconds")
    return CampaignLook(store_hash, at, country, owed, tuple(scheduled))


class PromotionSource(FetchedSource):
    """A look at a store's promotions (`CampaignLook`)."""

    name = LOOK
    flow = FLOW

    def load(self, raw: bytes) -> CampaignLook:
        return CampaignLook.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[CampaignLook, bytes]:
        store_hash = str(ref["store_hash"])
        look = take_look(
            clients.bigcommerce(store_hash),
            redis_client(),
            services.archive_index(),
            store_hash,
            float(settings().visibility_timeout),
        )
        return look, look.to_json_bytes()

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """None to name: what a look owes is what the memory keeps (`documents_kept`)."""
        return []

    def read(self, store_hash: str, subject_id: str) -> CampaignLook:
        """The items whose record is owed, as a look would stage them (without looking)."""
        owed = tuple(memory.pending(redis_client(), store_hash))
        country = _country(clients.bigcommerce(store_hash), owed)
        return CampaignLook(store_hash, datetime.now(UTC).isoformat(), country, owed)

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        enqueue_look(store_hash, reason, event_id)
