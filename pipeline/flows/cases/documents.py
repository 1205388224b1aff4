"""Which documents a case file owes, what they are called, and the facts each one shows.

A case owes a summary and a communication log while it runs, one record per attachment,
and a closure record once it is closed. Each spec's fingerprint is the SHA-256 of exactly
the facts its document shows, so a new message or status makes a new version of the log
and the summary (a new name beside the old one, linked `SUPERSEDES`), while an unchanged
case owes the same records again, which declare finds already filed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from pipeline.core.contract import DocumentSpec, Subject
from pipeline.core.names import ecm_name
from schemas.case_file import Attachment, CaseFile
from schemas.snapshot import canonical_json

FLOW = "cases"
CASE = "case"
CASE_SUMMARY = "case_summary"
COMMUNICATION_LOG = "case_communication_log"
CASE_ATTACHMENT = "case_attachment"
CASE_CLOSURE = "case_closure"

NAMES = {
    CASE_SUMMARY: "case-{subject}-summary",
    COMMUNICATION_LOG: "case-{subject}-communication-log",
    CASE_ATTACHMENT: "case-{subject}-attachment-{part}",
    CASE_CLOSURE: "case-{subject}-closure",
}

# Attachment types kept as they came, with the extension their record gets. Anything else
# is refused: its record is a PDF saying what arrived and why it was not kept.
ALLOWED_ATTACHMENTS: Mapping[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/tiff": "tif",
    "text/plain": "txt",
    "message/rfc822": "eml",
}
REFUSAL_EXTENSION = "pdf"


def is_allowed(attachment: Attachment) -> bool:
    return attachment.ref.content_type in ALLOWED_ATTACHMENTS


def attachment_part(attachment: Attachment) -> str:
    """`3.png`: the attachment's number and the extension its record has."""
    extension = ALLOWED_ATTACHMENTS.get(attachment.ref.content_type, REFUSAL_EXTENSION)
    return f"{attachment.number}.{extension}"


def attachment_of(case: CaseFile, spec: DocumentSpec) -> Attachment:
    return _numbered(case, spec.part)


def _numbered(case: CaseFile, part: str | None) -> Attachment:
    """The attachment a part (`3.png`) names."""
    number = int(str(part).split(".", 1)[0])
    return next(a for a in case.attachments if a.number == number)


def _header(case: CaseFile) -> dict[str, Any]:
    data = case.to_json()
    return {key: data[key] for key in ("case_id", "reason", "subject", "status", "hold_state")}


def _summary_facts(case: CaseFile, _: str | None) -> dict[str, Any]:
    """Everything but the summaries themselves (a summary lists the records it sums up)."""
    data = case.to_json()
    data["manifest"] = [m for m in data["manifest"] if m["kind"] != CASE_SUMMARY]
    return data


def _log_facts(case: CaseFile, _: str | None) -> dict[str, Any]:
    data = case.to_json()
    return {**_header(case), "log": data["log"]}


def _attachment_facts(case: CaseFile, part: str | None) -> dict[str, Any]:
    attachment = _numbered(case, part)
    return {"case_id": case.case_id, "number": attachment.number, **asdict(attachment.ref)}


def _closure_facts(case: CaseFile, _: str | None) -> dict[str, Any]:
    data = case.to_json()
    return {**_header(case), "closed_at": data["closed_at"], "hold_name": case.hold_name}


_FACTS: Mapping[str, Callable[[CaseFile, str | None], dict[str, Any]]] = {
    CASE_SUMMARY: _summary_facts,
    COMMUNICATION_LOG: _log_facts,
    CASE_ATTACHMENT: _attachment_facts,
    CASE_CLOSURE: _closure_facts,
}


def case_document(case: CaseFile, kind: str, part: str | None = None) -> DocumentSpec:
    framed = {"kind": kind, "part": part, "facts": _FACTS[kind](case, part)}
    return DocumentSpec(
        flow=FLOW,
        kind=kind,
        store_hash=case.store_hash,
        subject=Subject(CASE, case.case_id),
        part=part,
        fingerprint=hashlib.sha256(canonical_json(framed)).hexdigest(),
    )


def due_documents(case: CaseFile) -> list[DocumentSpec]:
    """Summary and log always; each attachment until its record is in the file (its
    staged bytes expire, the record does not); the closure once closed."""
    filed = {m.ecm_name for m in case.manifest if m.in_file}
    specs = [case_document(case, CASE_SUMMARY), case_document(case, COMMUNICATION_LOG)]
    for attachment in case.attachments:
        spec = case_document(case, CASE_ATTACHMENT, attachment_part(attachment))
        if ecm_name(spec) not in filed:
            specs.append(spec)
    if case.closed_at is not None:
        specs.append(case_document(case, CASE_CLOSURE))
    return specs
