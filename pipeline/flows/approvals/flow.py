"""Flow 3, approvals → publishing: change requests approved in the ECM are published to
BigCommerce by the publish stage (`publishing`), which files a receipt or a refusal
record in the change request's workspace, cross-referenced to the request document. The
other direction: a watch of the governed fields (`watch`) files an unapproved change
record in the workspace of what was changed outside the workflow, and owes its revert
where `approvals.toml` asks for one (`reverting`)."""

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
    Link,
    Placement,
    Source,
    StoreCounter,
    UnknownRecordDate,
    Workspace,
)
from pipeline.flows.approvals import change_requests, observed
from pipeline.flows.approvals.governed import WATCHED_FIELDS
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.publish_record import RECEIPT, REFUSAL, PublishRecord
from pipeline.flows.approvals.render import render_publish_record
from pipeline.flows.approvals.reverting import revert_unit
from pipeline.flows.approvals.unapproved import (
    OBSERVED_AT,
    UNAPPROVED,
    WORKSPACES,
    unapproved_attributes,
    unapproved_placement,
    unapproved_spec,
)
from pipeline.flows.approvals.unapproved_render import render_unapproved
from pipeline.flows.approvals.watch import WATCH, GovernedLook, GovernedSource
from pipeline.flows.commerce.pollers import Checkpoints, poll_runs_key
from pipeline.flows.recalls import storefront
from pipeline.records.classify import default_plan
from pipeline.runtime import redis_client
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan

RECORD_SOURCE = "publish_record"
RECORDED_AT = "publish.recorded_at"
# The receipt is "approved by" the request document it publishes.
CROSS_REFERENCE = "APPROVED_BY"
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(("Object Type", "Object ID"), "String")
# How long an unapproved change nobody acknowledged or reverted stays on `bcrm status`.
ATTENTION_WINDOW = timedelta(days=7)


class PublishRecordSource(Source):
    """What a publish came to, staged by the publish stage itself."""

    name = RECORD_SOURCE
    flow = "approvals"

    def load(self, raw: bytes) -> PublishRecord:
        return PublishRecord.from_json_bytes(raw)


KINDS: Mapping[str, DocumentKind] = {
    RECEIPT: DocumentKind(
        RECEIPT, "{subject}-publish-receipt", RECORD_SOURCE, render_publish_record
    ),
    REFUSAL: DocumentKind(
        REFUSAL, "{subject}-publish-refusal", RECORD_SOURCE, render_publish_record
    ),
    UNAPPROVED: DocumentKind(UNAPPROVED, "unapproved-change-{part}", WATCH, render_unapproved),
}


class ApprovalsFlow(Flow):
    name = "approvals"
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        RECEIPT: (RECORDED_AT,),
        REFUSAL: (RECORDED_AT,),
        UNAPPROVED: (OBSERVED_AT,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """From a look, a record per unapproved change not yet declared; none from a
        publish record: the publish stage owes its one record itself."""
        if isinstance(source, GovernedLook):
            return [unapproved_spec(change) for change in source.changes]
        return []

    def source_fetched(self, source: Any) -> None:
        """A look owes the revert of every pending change whose type `approvals.toml`
        reverts (one unit per change: owing it again is a no-op once it ran)."""
        if isinstance(source, GovernedLook):
            rules = policy()
            send_owed(
                [
                    revert_unit(change)
                    for change in source.changes
                    if rules.of(change.change_type).revert_unapproved
                ]
            )

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        if spec.kind == UNAPPROVED and spec.part is not None:
            observed.settle(redis_client(), spec.store_hash, spec.part)

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """The store's country (`GET /v2/store` `country_code`, read when publishing or
        when a look owes a record)."""
        return str(source.country)

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        if isinstance(source, GovernedLook):
            return datetime.fromisoformat(source.change(str(spec.part)).observed_at)
        return datetime.fromisoformat(source.recorded_at)

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        if isinstance(source, GovernedLook):
            return unapproved_attributes(spec)
        return {"Object Type": "change_request", "Object ID": source.change_id}

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        if isinstance(source, GovernedLook):
            return unapproved_placement(spec, folder)
        change_id = source.change_id
        return Placement(
            folders=(folder,),
            workspace=Workspace(
                change_requests.BO_TYPE, change_id, change_requests.workspace_name(change_id)
            ),
            links=(
                Link(
                    CROSS_REFERENCE,
                    change_requests.REQUEST_FOLDER,
                    change_requests.request_stem(change_id),
                    outgoing=True,
                    declared=False,
                ),
            ),
        )

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Per store, a poll of the ECM's approved change requests, a look at the
        governed fields in BigCommerce, and a look at open recalls' takedowns (owed, and
        re-verified on the storefront: `pipeline.flows.recalls`)."""
        entries: dict[str, dict[str, Any]] = {}
        for store_hash in config.store_tokens:
            for name, task in (
                (f"poll-change-requests-{store_hash}", "bcrm.control.poll_change_requests"),
                (f"watch-governed-{store_hash}", "bcrm.control.watch_governed"),
                (f"recall-takedowns-{store_hash}", "bcrm.control.recall_takedowns"),
            ):
                entries[name] = {
                    "task": task,
                    "schedule": config.poll_interval_s,
                    "args": [store_hash],
                    "options": {"expires": config.poll_interval_s},
                }
        return entries

    def stream_lags(
        self, client: redis.Redis, store_hash: str, now: datetime
    ) -> dict[str, float | None]:
        return {WATCH: Checkpoints(client).lag_s(store_hash, WATCH, now)}

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        return {WATCH: int(client.get(poll_runs_key(store_hash, WATCH)) or 0)}

    def needs_attention(self, client: redis.Redis, store_hash: str) -> list[str]:
        """Unapproved changes of the last `ATTENTION_WINDOW` neither reverted nor
        acknowledged; items of open recalls found on sale again (`storefront`)."""
        return self._unapproved_attention(client, store_hash) + storefront.attention(
            client, store_hash
        )

    def _unapproved_attention(self, client: redis.Redis, store_hash: str) -> list[str]:
        since = (datetime.now(UTC) - ATTENTION_WINDOW).isoformat()
        done = observed.outcomes(client, store_hash)
        open_ = [
            change
            for change in observed.every_change(client, store_hash)
            if change.observed_at >= since and observed.is_open(done.get(change.id))
        ]
        if not open_:
            return []
        newest = open_[-1]
        return [
            f"{len(open_)} unapproved change(s) made in BigCommerce outside the workflow "
            f"(newest: {newest.target} {', '.join(sorted(newest.after))}); review them with "
            f"`bcrm changes unapproved --store {store_hash}`, then acknowledge each"
        ]

    def store_counters(self, client: redis.Redis, store_hash: str) -> list[StoreCounter]:
        """`bcrm_unapproved_changes_total{store, field}`, every watched field from 0;
        `bcrm_recalled_items_found_on_sale_total{store, recall}` (`storefront`)."""
        seen = observed.counts(client, store_hash)
        return [
            storefront.counter(client, store_hash),
            StoreCounter(
                "bcrm_unapproved_changes_total",
                "Changes made in BigCommerce outside the workflow (no publish explains "
                "them), per store and governed field.",
                "field",
                {name: float(seen.get(name, 0)) for name in (*WATCHED_FIELDS, *seen)},
            ),
        ]

    def documents_kept(self, store_hash: str) -> list[tuple[DocumentSpec, Placement]]:
        """Every unapproved change seen: the watch remembers it, the store no longer
        shows it."""
        classes = default_plan().classes
        kept = []
        for change in observed.every_change(redis_client(), store_hash):
            spec = unapproved_spec(change)
            kept.append((spec, unapproved_placement(spec, classes[spec.kind].folder)))
        return kept

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        """The change request workspace type, and those an unapproved change is filed in."""
        return EcmNeeds(
            workspace_types=frozenset(
                {change_requests.BO_TYPE, *(bo for bo, _ in WORKSPACES.values())}
            ),
            attributes=ATTRIBUTE_TYPES,
            xref_types=frozenset({CROSS_REFERENCE}),
        )


FLOW = ApprovalsFlow()
SOURCES = (PublishRecordSource(), GovernedSource())
