"""What a publish came to, as the receipt (or refusal record) shows it: the change, the
approval's facts, the outcome and its times, and the API's answers. Staged as canonical
JSON; the document chain renders it. A recall's takedown adds its time-to-takedown
evidence (`takedown`, `pipeline.flows.recalls.takedown_authority.evidence`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.core.contract import DocumentSpec, Subject
from pipeline.flows.approvals.approval_check import ApprovalFacts
from pipeline.flows.approvals.change_request import ChangeRequest, canonical, digest
from pipeline.flows.approvals.publish import PublishOutcome

FLOW = "approvals"
RECEIPT = "publish_receipt"
REFUSAL = "publish_refusal"
SUBJECT = "change_request"


@dataclass(frozen=True)
class PublishRecord:
    change: dict[str, Any]
    approval: dict[str, Any]
    outcome: dict[str, Any]
    country: str
    recorded_at: str
    takedown: dict[str, Any] | None = None

    @classmethod
    def of(
        cls,
        change: ChangeRequest,
        approval: ApprovalFacts,
        outcome: PublishOutcome,
        country: str,
        takedown: dict[str, Any] | None = None,
    ) -> PublishRecord:
        recorded = outcome.verified_at or datetime.now(UTC).isoformat(timespec="seconds")
        return cls(
            change.to_json(),
            asdict(approval),
            canonical(asdict(outcome)),
            country,
            recorded,
            None if takedown is None else canonical(takedown),
        )

    @property
    def change_id(self) -> str:
        return str(self.change["id"])

    @property
    def kind(self) -> str:
        return REFUSAL if self.outcome["result"] == "refused" else RECEIPT

    def to_json_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> PublishRecord:
        return cls(**json.loads(raw))

    def spec(self) -> DocumentSpec:
        """One receipt (or one refusal) per change request: its fingerprint is the approved
        payload's, not the outcome's, so a retried publish that adopts what an earlier try
        wrote files no second receipt (the ledger and the ECM's names both dedupe it)."""
        return DocumentSpec(
            flow=FLOW,
            kind=self.kind,
            store_hash=str(self.change["store_hash"]),
            subject=Subject(SUBJECT, self.change_id),
            part=None,
            fingerprint=digest({"payload": self.change, "kind": self.kind}),
        )
