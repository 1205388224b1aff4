"""Flow 7, campaigns: campaigns filed and decided in the ECM (`workspace`, read back into
the archive index by `ecm_poll`), the catalog's prices polled into the price history
(`prices.poll`), and a look at the store's promotions (`look`) that files each distinct
promotion version, each failed compliance check, the prior-price evidence of each
version that lowers prices in the EU and each campaign's closeout with its usage, in the
campaign's workspace, or in the store's "Unlinked Promotions" workspace for a promotion
no campaign claims.

Versions and exceptions are rendered from the look that staged them; evidence and
closeouts from their own staged source (`PriorPriceEvidence`, `CampaignUsage`, kept
with the item when the look found it), whose chains the look starts itself
(`source_fetched`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import redis

from pipeline.core.canvas import document_unit, send_owed
from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    Flow,
    Placement,
    Source,
    StoreCounter,
    Subject,
    UnknownRecordDate,
    Workspace,
)
from pipeline.core.messages import document_message
from pipeline.flows.approvals.change_request import digest
from pipeline.flows.campaigns import memory, workspace
from pipeline.flows.campaigns.checks import CHECKS
from pipeline.flows.campaigns.disabling import disable_unit, disables, system_unit
from pipeline.flows.campaigns.items import (
    CampaignException,
    Closeout,
    Item,
    PriceEvidence,
    PriceItem,
    PromotionVersion,
    dumps,
)
from pipeline.flows.campaigns.look import FLOW as FLOW_NAME
from pipeline.flows.campaigns.look import LOOK, CampaignLook, PromotionSource
from pipeline.flows.campaigns.prices.evidence import PriorPriceEvidence
from pipeline.flows.campaigns.prices.kinds import (
    CLOSEOUT,
    CLOSEOUT_SOURCE,
    EVIDENCE_SOURCE,
    PRICE_KINDS,
    PRIOR_PRICE_EVIDENCE,
)
from pipeline.flows.campaigns.prices.poll import (
    price_polls_completed,
    price_stream_lags,
    price_streams,
)
from pipeline.flows.campaigns.prices.usage import CampaignUsage
from pipeline.flows.campaigns.render.documents import item_id_of, render_item
from pipeline.flows.commerce.pollers import Checkpoints, poll_runs_key
from pipeline.index.prices import PriceHistory
from pipeline.records.classify import default_plan
from pipeline.runtime import clients, redis_client, services
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan

VERSION_KIND = "promotion_version"
EXCEPTION_KIND = "campaign_exception"
FIRST_SEEN = "promotion.first_seen"
FOUND = "campaign.exception_found"
CLOSED_AT = "campaign.closed_at"
REDUCTION_STARTS = "promotion.reduction_starts"
UNLINKED_BO = "unlinked-promotions"
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(("Object Type", "Object ID"), "String")
# How long an exception stays on `bcrm status` (flow 3's unapproved changes stay as long);
# its record and the metric stay for good.
ATTENTION_WINDOW = timedelta(days=7)

KINDS: Mapping[str, DocumentKind] = {
    VERSION_KIND: DocumentKind(VERSION_KIND, "{part}-{subject}-version", LOOK, render_item),
    EXCEPTION_KIND: DocumentKind(EXCEPTION_KIND, "campaign-exception-{part}", LOOK, render_item),
    **PRICE_KINDS,
}


class EvidenceSource(Source):
    """A version's prior-price evidence, staged by the look that found it."""

    name = EVIDENCE_SOURCE
    flow = FLOW_NAME

    def load(self, raw: bytes) -> PriorPriceEvidence:
        return PriorPriceEvidence.from_json_bytes(raw)


class UsageSource(Source):
    """A campaign's usage at its closeout, staged by the look that found it over."""

    name = CLOSEOUT_SOURCE
    flow = FLOW_NAME

    def load(self, raw: bytes) -> CampaignUsage:
        return CampaignUsage.from_json_bytes(raw)


def spec_of(item: Item) -> DocumentSpec:
    """The record an item owes; its key derives from the item's facts only."""
    if isinstance(item, PromotionVersion):
        kind, ident = item.subject.split("/", 1)
        return DocumentSpec(
            FLOW_NAME, VERSION_KIND, item.store_hash, Subject(kind, ident), kind, item.fingerprint
        )
    if isinstance(item, CampaignException):
        kind, ident = item.subject.split("/", 1)
        return DocumentSpec(
            FLOW_NAME,
            EXCEPTION_KIND,
            item.store_hash,
            Subject(kind, ident),
            item.id,
            digest(dumps(item)),
        )
    if isinstance(item, PriceEvidence):
        return DocumentSpec(
            FLOW_NAME,
            PRIOR_PRICE_EVIDENCE,
            item.store_hash,
            Subject("campaign", item.campaign_id or UNLINKED_BO),
            item.part,
            hashlib.sha256(item.source.encode()).hexdigest(),
        )
    return DocumentSpec(
        FLOW_NAME,
        CLOSEOUT,
        item.store_hash,
        Subject("campaign", item.campaign_id),
        None,
        hashlib.sha256(item.source.encode()).hexdigest(),
    )


def start_price_chains(owed: tuple[Item, ...]) -> None:
    """Stage each owed evidence and closeout as its own source and start its chain (the
    ledger runs a record's chain once, however many looks owe it)."""
    priced: list[PriceItem] = [i for i in owed if isinstance(i, PriceEvidence | Closeout)]
    staging = services.staging()
    send_owed(
        [
            document_unit(document_message(spec_of(i), staging.put(i.source.encode())))
            for i in priced
        ]
    )


def campaign_workspace(store_hash: str, campaign_id: str) -> Workspace:
    """The campaign's workspace, or the store's "Unlinked Promotions" one ("" campaign):
    a Campaign workspace too, so it has the same folders."""
    if not campaign_id:
        return Workspace(
            workspace.BO_TYPE, f"{store_hash}-{UNLINKED_BO}", f"Unlinked Promotions {store_hash}"
        )
    bo = workspace.bo_id(store_hash, campaign_id)
    return Workspace(workspace.BO_TYPE, bo, workspace.workspace_name(bo))


def placement_of(item: Item, folder: str) -> Placement:
    return Placement(
        folders=(folder,), workspace=campaign_workspace(item.store_hash, item.campaign_id)
    )


def placement_of_spec(spec: DocumentSpec, folder: str) -> Placement:
    """An evidence or closeout record: its campaign is its subject."""
    campaign_id = "" if spec.subject.id == UNLINKED_BO else spec.subject.id
    return Placement(folders=(folder,), workspace=campaign_workspace(spec.store_hash, campaign_id))


class CampaignsFlow(Flow):
    name = FLOW_NAME
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        VERSION_KIND: (FIRST_SEEN,),
        EXCEPTION_KIND: (FOUND,),
        PRIOR_PRICE_EVIDENCE: (REDUCTION_STARTS,),
        CLOSEOUT: (CLOSED_AT,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """A record per version and exception the look found whose record is not declared
        yet (evidence and closeouts start their own chains: `source_fetched`)."""
        if isinstance(source, CampaignLook):
            return [
                spec_of(item)
                for item in source.owed
                if isinstance(item, PromotionVersion | CampaignException)
            ]
        return []

    def source_fetched(self, source: Any) -> None:
        """A look owes the disable of every promotion whose pending exception
        `campaigns.toml` disables, and the enables and disables its campaigns' windows
        call for (one unit per request: owing it again is a no-op once it ran)."""
        if isinstance(source, CampaignLook):
            disables_owed = [
                disable_unit(item)
                for item in source.owed
                if isinstance(item, CampaignException) and disables(item)
            ]
            send_owed([*disables_owed, *(system_unit(c) for c in source.scheduled)])
            start_price_chains(source.owed)

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        if spec.flow == FLOW_NAME:
            memory.settle(redis_client(), spec.store_hash, item_id_of(spec))

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """The store's country (`GET /v2/store` `country_code`, read when a look owes, or
        asked when an evidence or closeout is classified)."""
        if isinstance(source, CampaignLook):
            return str(source.country)
        info = clients.bigcommerce(spec.store_hash).store_information()
        return str(info.get("country_code") or "US")

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        if isinstance(source, PriorPriceEvidence):
            return source.starts_at
        if isinstance(source, CampaignUsage):
            return source.end
        item = source.item(item_id_of(spec))
        if isinstance(item, PromotionVersion):
            return datetime.fromisoformat(item.first_seen)
        if isinstance(item, CampaignException):
            return datetime.fromisoformat(item.found_at)
        raise UnknownRecordDate(f"{spec.kind} is not rendered from a look")

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        return {"Object Type": spec.subject.kind, "Object ID": spec.subject.id}

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        if isinstance(source, CampaignLook):
            return placement_of(source.item(item_id_of(spec)), folder)
        return placement_of_spec(spec, folder)

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Per store, a read of its campaigns in the ECM, a look at its promotions and a
        poll of its catalog's prices."""
        entries: dict[str, dict[str, Any]] = price_streams(config)
        for store_hash in config.store_tokens:
            for name, task, every in (
                (
                    f"poll-campaigns-{store_hash}",
                    "bcrm.control.poll_campaigns",
                    config.poll_interval_s,
                ),
                (
                    f"look-promotions-{store_hash}",
                    "bcrm.control.look_promotions",
                    config.promotion_poll_interval_s,
                ),
            ):
                entries[name] = {
                    "task": task,
                    "schedule": every,
                    "args": [store_hash],
                    "options": {"expires": every},
                }
        return entries

    def stream_intervals(self, config: Settings) -> dict[str, float]:
        return {LOOK: config.promotion_poll_interval_s}

    def stream_lags(
        self, client: redis.Redis, store_hash: str, now: datetime
    ) -> dict[str, float | None]:
        return {
            LOOK: Checkpoints(client).lag_s(store_hash, LOOK, now),
            **price_stream_lags(PriceHistory(services.archive_index().engine), store_hash, now),
        }

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        return {
            LOOK: int(client.get(poll_runs_key(store_hash, LOOK)) or 0),
            **price_polls_completed(PriceHistory(services.archive_index().engine), store_hash),
        }

    def needs_attention(self, client: redis.Redis, store_hash: str) -> list[str]:
        """One line per check that found promotions in the last `ATTENTION_WINDOW`, with
        the newest."""
        since = (datetime.now(UTC) - ATTENTION_WINDOW).isoformat()
        found: dict[str, list[CampaignException]] = {}
        for item in memory.every_item(client, store_hash):
            if isinstance(item, CampaignException) and item.found_at >= since:
                found.setdefault(item.check, []).append(item)
        lines = []
        for check in CHECKS:
            if check in found:
                newest = max(found[check], key=lambda e: e.found_at)
                lines.append(
                    f"{len(found[check])} promotion exception(s) {check} (newest: "
                    f"{newest.subject}, {newest.detail}); see `bcrm campaigns exceptions "
                    f"--store {store_hash}`"
                )
        return lines

    def store_counters(self, client: redis.Redis, store_hash: str) -> list[StoreCounter]:
        """`bcrm_campaign_exceptions_total{store, check}`, every check from 0."""
        seen = memory.counts(client, store_hash)
        return [
            StoreCounter(
                "bcrm_campaign_exceptions_total",
                "Promotions failing a campaign compliance check, per store and check.",
                "check",
                {name: float(seen.get(name, 0)) for name in (*CHECKS, *seen)},
            )
        ]

    def documents_kept(self, store_hash: str) -> list[tuple[DocumentSpec, Placement]]:
        """Every item found: the memory keeps it, the store may no longer show it."""
        classes = default_plan().classes
        kept = []
        for item in memory.every_item(redis_client(), store_hash):
            spec = spec_of(item)
            kept.append((spec, placement_of(item, classes[spec.kind].folder)))
        return kept

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        return EcmNeeds(workspace_types=frozenset({workspace.BO_TYPE}), attributes=ATTRIBUTE_TYPES)


FLOW = CampaignsFlow()
SOURCES = (PromotionSource(), EvidenceSource(), UsageSource())
