"""Flow 7, campaigns: campaigns filed and decided in the ECM (`workspace`, read back into
the archive index by `ecm_poll`), and a look at the store's promotions (`look`) that
files each distinct promotion version, each failed compliance check and each campaign's
closeout in the campaign's workspace, or in the store's "Unlinked Promotions" workspace
for a promotion no campaign claims."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import redis

from pipeline.core.canvas import send_owed
from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    Flow,
    Placement,
    StoreCounter,
    Subject,
    UnknownRecordDate,
    Workspace,
)
from pipeline.flows.approvals.change_request import digest
from pipeline.flows.campaigns import memory, workspace
from pipeline.flows.campaigns.checks import CHECKS
from pipeline.flows.campaigns.disabling import disable_unit, disables, system_unit
from pipeline.flows.campaigns.items import (
    CampaignException,
    Item,
    PromotionVersion,
    dumps,
)
from pipeline.flows.campaigns.look import FLOW as FLOW_NAME
from pipeline.flows.campaigns.look import LOOK, CampaignLook, PromotionSource
from pipeline.flows.campaigns.render.documents import item_id_of, render_item
from pipeline.flows.commerce.pollers import Checkpoints, poll_runs_key
from pipeline.records.classify import default_plan
from pipeline.runtime import redis_client
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan

VERSION_KIND = "promotion_version"
EXCEPTION_KIND = "campaign_exception"
CLOSEOUT_KIND = "campaign_closeout"
FIRST_SEEN = "promotion.first_seen"
FOUND = "campaign.exception_found"
CLOSED_AT = "campaign.closed_at"
UNLINKED_BO = "unlinked-promotions"
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(("Object Type", "Object ID"), "String")
# How long an exception stays on `bcrm status` (flow 3's unapproved changes stay as long);
# its record and the metric stay for good.
ATTENTION_WINDOW = timedelta(days=7)

KINDS: Mapping[str, DocumentKind] = {
    VERSION_KIND: DocumentKind(VERSION_KIND, "{part}-{subject}-version", LOOK, render_item),
    EXCEPTION_KIND: DocumentKind(EXCEPTION_KIND, "campaign-exception-{part}", LOOK, render_item),
    CLOSEOUT_KIND: DocumentKind(CLOSEOUT_KIND, "campaign-{subject}-closeout", LOOK, render_item),
}


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
    return DocumentSpec(
        FLOW_NAME,
        CLOSEOUT_KIND,
        item.store_hash,
        Subject("campaign", item.campaign_id),
        None,
        digest(dumps(item)),
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


class CampaignsFlow(Flow):
    name = FLOW_NAME
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        VERSION_KIND: (FIRST_SEEN,),
        EXCEPTION_KIND: (FOUND,),
        CLOSEOUT_KIND: (CLOSED_AT,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """A record per item the look found whose record is not declared yet."""
        if isinstance(source, CampaignLook):
            return [spec_of(item) for item in source.owed]
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

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        if spec.flow == FLOW_NAME:
            memory.settle(redis_client(), spec.store_hash, item_id_of(spec))

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """The store's country (`GET /v2/store` `country_code`, read when a look owes)."""
        return str(source.country)

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        item = source.item(item_id_of(spec))
        if isinstance(item, PromotionVersion):
            return datetime.fromisoformat(item.first_seen)
        if isinstance(item, CampaignException):
            return datetime.fromisoformat(item.found_at)
        return datetime.fromisoformat(item.closed_at)

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        return {"Object Type": spec.subject.kind, "Object ID": spec.subject.id}

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        return placement_of(source.item(item_id_of(spec)), folder)

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Per store, a read of its campaigns in the ECM and a look at its promotions."""
        entries: dict[str, dict[str, Any]] = {}
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
        return {LOOK: Checkpoints(client).lag_s(store_hash, LOOK, now)}

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        return {LOOK: int(client.get(poll_runs_key(store_hash, LOOK)) or 0)}

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
SOURCES = (PromotionSource(),)
