"""Which documents a recall owes, what they are called, and the facts each one shows.

- the **affected-orders report** (one document, re-issued as a new version superseding the
  last whenever the set of affected lines changes: its fingerprint is over those lines);
- a **status report** per ISO week while the recall is open (21 CFR 7.53 asks for status
  reports at intervals; the week is its part, so each week's is its own record);
- the **closeout** once the recall is closed (21 CFR 7.55 termination), re-issued when its
  holds are released later;
- each **file handed in** (notice, supplier certificate, safety bulletin), kept as it came,
  once: its part is its SHA-256 and extension.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from pipeline.core.contract import DocumentSpec, Subject
from pipeline.core.names import ecm_name
from pipeline.flows.recalls.recall_file import AttachedFile, RecallFile
from schemas.snapshot import canonical_json

FLOW = "recalls"
RECALL = "recall"
AFFECTED_ORDERS = "recall_affected_orders"
STATUS_REPORT = "recall_status_report"
CLOSEOUT = "recall_closeout"
NOTICE = "recall_notice"
CERTIFICATE = "recall_certificate"
BULLETIN = "recall_bulletin"
# `bcrm recalls attach --kind`: the kind of record each file becomes.
ATTACHED_KINDS = {"notice": NOTICE, "certificate": CERTIFICATE, "bulletin": BULLETIN}

NAMES = {
    AFFECTED_ORDERS: "recall-{subject}-affected-orders",
    STATUS_REPORT: "recall-{subject}-status-{part}",
    CLOSEOUT: "recall-{subject}-closeout",
    NOTICE: "recall-{subject}-notice-{part}",
    CERTIFICATE: "recall-{subject}-certificate-{part}",
    BULLETIN: "recall-{subject}-bulletin-{part}",
}

# Files kept as they came, with the extension their record gets; anything else is
# refused before it is staged (`bcrm recalls attach` says so in one line).
ALLOWED_FILES: Mapping[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "text/plain": "txt",
}


def attachment_part(attached: AttachedFile) -> str:
    """`3f2a9c1b07d4.pdf`: the file's SHA-256 prefix and the extension its record has."""
    return f"{attached.sha256[:12]}.{ALLOWED_FILES[attached.content_type]}"


def _recall_facts(source: RecallFile) -> dict[str, Any]:
    data = source.to_json()["recall"]
    return {k: v for k, v in data.items() if k != "workspace_id"}


def _lines(source: RecallFile) -> list[dict[str, Any]]:
    return source.to_json()["lines"]


def _report_facts(source: RecallFile, _: str | None) -> dict[str, Any]:
    return {"recall_id": source.recall_id, "lines": _lines(source)}


def _status_facts(source: RecallFile, part: str | None) -> dict[str, Any]:
    data = source.to_json()
    return {
        "week": part,
        "recall": _recall_facts(source),
        "items": data["items"],
        "lines": data["lines"],
        "refunds": data["refunds"],
        "records_held": source.records_held,
    }


def _closeout_facts(source: RecallFile, _: str | None) -> dict[str, Any]:
    data = source.to_json()
    return {
        "recall": _recall_facts(source),
        "orders": source.orders,
        "refunds": data["refunds"],
        "records_held": source.records_held,
    }


def _attachment_facts(source: RecallFile, part: str | None) -> dict[str, Any]:
    assert source.attachment is not None
    facts = asdict(source.attachment)
    facts.pop("digest")
    return {"recall_id": source.recall_id, **facts}


_FACTS: Mapping[str, Callable[[RecallFile, str | None], dict[str, Any]]] = {
    AFFECTED_ORDERS: _report_facts,
    STATUS_REPORT: _status_facts,
    CLOSEOUT: _closeout_facts,
    NOTICE: _attachment_facts,
    CERTIFICATE: _attachment_facts,
    BULLETIN: _attachment_facts,
}


def facts_of(source: RecallFile, kind: str, part: str | None) -> dict[str, Any]:
    """Exactly what the document shows: hashed into its fingerprint, embedded in its PDF."""
    return {"kind": kind, "part": part, "facts": _FACTS[kind](source, part)}


def recall_document(source: RecallFile, kind: str, part: str | None = None) -> DocumentSpec:
    framed = facts_of(source, kind, part)
    return DocumentSpec(
        flow=FLOW,
        kind=kind,
        store_hash=source.store_hash,
        subject=Subject(RECALL, source.recall_id),
        part=part,
        fingerprint=hashlib.sha256(canonical_json(framed)).hexdigest(),
    )


def due_documents(source: RecallFile) -> list[DocumentSpec]:
    """The report always; this week's status report while open, the closeout once
    closed; the handed-in file until its record is filed (its staged bytes expire)."""
    specs = [recall_document(source, AFFECTED_ORDERS)]
    if source.recall.is_open:
        specs.append(recall_document(source, STATUS_REPORT, source.week))
    else:
        specs.append(recall_document(source, CLOSEOUT))
    attached = source.attachment
    if attached is not None:
        spec = recall_document(source, ATTACHED_KINDS[attached.kind], attachment_part(attached))
        if ecm_name(spec) not in source.filed:
            specs.append(spec)
    return specs
