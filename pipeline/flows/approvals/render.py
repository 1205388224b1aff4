"""The publish receipt and the refusal record as archival PDF/A-3b documents: the change,
the approval's facts, the states before and after, the times and the API's answers, with
the canonical JSON embedded."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pipeline.core import names
from pipeline.core.contract import DocumentSpec
from pipeline.flows.approvals.publish_record import REFUSAL, PublishRecord
from pipeline.records.pdf.sheet import DocumentMeta, RenderedDocument, Sheet

TEMPLATE_VERSION = "publish-record-2"


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, indent=1)


def _takedown(sheet: Sheet, evidence: dict[str, Any]) -> None:
    """A recall takedown's time-to-takedown evidence."""
    sheet.section(f"Recall takedown: time to takedown (recall {evidence['recall_id']})")
    seconds = evidence["decision_to_verified_s"]
    sheet.key_values(
        [
            ("Target", str(evidence["target"])),
            ("Recall opened by", str(evidence["opened_by"]) or "-"),
            ("Recall decided by", str(evidence["decided_by"]) or "-"),
            ("Decision at", evidence["decided_at"] or "-"),
            ("Write sent at", evidence["write_sent_at"] or "- (none: found off sale)"),
            ("Write answered at", evidence["write_answered_at"] or "-"),
            ("Verified off sale at", evidence["verified_at"] or "-"),
            ("Decision to verified", f"{seconds} s" if seconds is not None else "-"),
        ]
    )


def render_publish_record(record: PublishRecord, spec: DocumentSpec) -> RenderedDocument:
    refused = spec.kind == REFUSAL
    heading = "PUBLISH REFUSAL" if refused else "PUBLISH RECEIPT"
    title = f"{'Refusal' if refused else 'Receipt'} of change request {record.change_id}"
    when = datetime.fromisoformat(record.recorded_at)
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {spec.store_hash}",
            author="bcrm",
            date=when,
            template_version=TEMPLATE_VERSION,
            filename=names.filename(spec),
        )
    )
    change, approval, outcome = record.change, record.approval, record.outcome
    sheet.title_block(
        ["bcrm publish stage", f"BigCommerce store {spec.store_hash}"],
        [
            ("Change request", record.change_id),
            ("Type", str(change["type"])),
            ("Target", str(change["target"])),
            ("Outcome", str(outcome["result"])),
        ],
    )
    sheet.section("Approval (from the ECM's audit trail)")
    sheet.key_values(
        [
            ("Requested by (user id)", str(approval["requester"])),
            ("Decision set by (user id)", str(approval["approver"] or "-")),
            ("Decided at", approval["decided_at"] or "-"),
            ("Valid until", approval["expires_at"] or "-"),
        ]
    )
    if refused:
        sheet.section("Reason")
        sheet.note(str(outcome["reason"]))
    sheet.section("Times")
    sheet.key_values(
        [
            ("Published at", outcome["published_at"] or "-"),
            ("Verified at", outcome["verified_at"] or "-"),
            ("Recorded at", record.recorded_at),
        ]
    )
    if outcome.get("calls"):
        sheet.section("BigCommerce calls (sent → answered, UTC)")
        sheet.key_values(
            [(c["step"], f"{c['sent_at']} → {c['answered_at']}") for c in outcome["calls"]]
        )
    if record.takedown is not None:
        _takedown(sheet, record.takedown)
    for label, value in (
        ("Approved before-state", change["before"]),
        ("Approved after-state", change["after"]),
        ("Live before the write", outcome["before_live"]),
        ("Live after the write (read back)", outcome["after_live"]),
        ("API answers", outcome["answers"]),
    ):
        sheet.section(label)
        for line in _json(value).splitlines():
            sheet.note(line)
    return sheet.finish(record.to_json_bytes(), "publish-record.json")
