"""Flow 3, approvals → publishing: change requests approved in the ECM are published to
BigCommerce by the publish stage (`publishing`), which files a receipt or a refusal
record in the change request's workspace, cross-referenced to the request document."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    Flow,
    Link,
    Placement,
    Source,
    UnknownRecordDate,
    Workspace,
)
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.publish_record import RECEIPT, REFUSAL, PublishRecord
from pipeline.flows.approvals.render import render_publish_record
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan

RECORD_SOURCE = "publish_record"
RECORDED_AT = "publish.recorded_at"
# The receipt is "approved by" the request document it publishes.
CROSS_REFERENCE = "APPROVED_BY"
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(("Object Type", "Object ID"), "String")


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
}


class ApprovalsFlow(Flow):
    name = "approvals"
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        RECEIPT: (RECORDED_AT,),
        REFUSAL: (RECORDED_AT,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """None from a fetch: the publish stage owes its one record itself."""
        return []

    def jurisdiction(self, source: PublishRecord, spec: DocumentSpec) -> str:
        """The store's country (`GET /v2/store` `country_code`, read when publishing)."""
        return source.country

    def record_date(self, source: PublishRecord, spec: DocumentSpec, fact: str) -> datetime:
        if fact != RECORDED_AT:
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        return datetime.fromisoformat(source.recorded_at)

    def category_attributes(self, source: PublishRecord, spec: DocumentSpec) -> dict[str, str]:
        return {"Object Type": "change_request", "Object ID": source.change_id}

    def placement(self, source: PublishRecord, spec: DocumentSpec, folder: str) -> Placement:
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
        """A poll per store of the ECM's approved change requests."""
        return {
            f"poll-change-requests-{store_hash}": {
                "task": "bcrm.control.poll_change_requests",
                "schedule": config.poll_interval_s,
                "args": [store_hash],
                "options": {"expires": config.poll_interval_s},
            }
            for store_hash in config.store_tokens
        }

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        return EcmNeeds(
            workspace_types=frozenset({change_requests.BO_TYPE}),
            attributes=ATTRIBUTE_TYPES,
            xref_types=frozenset({CROSS_REFERENCE}),
        )


FLOW = ApprovalsFlow()
SOURCES = (PublishRecordSource(),)
