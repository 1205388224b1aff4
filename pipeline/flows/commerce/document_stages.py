"""Render and classify for one document message: references in, references out.

A document message names its snapshot (a staging digest) and its `DocumentRef`; each
stage loads what it needs from staging, calls the domain function, and returns the
message for the next stage with one more reference or fact added.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pipeline.core.errors import PermanentError
from pipeline.flows.commerce.documents import DocumentKind, DocumentRef
from pipeline.flows.commerce.render import RenderedDocument, render_document
from pipeline.flows.commerce.taxes import tax_country
from pipeline.records.classify import RecordClass, Source, UnmappedDocumentKind, classify
from pipeline.runtime import services
from schemas.snapshot import OrderSnapshot


class UnmappedKind(PermanentError):
    """The file plan has no records class for a document kind."""


def document_message(snapshot_digest: str, ref: DocumentRef) -> dict[str, Any]:
    """The render message for one due document."""
    return {
        "record_key": ref.record_key,
        "snapshot": snapshot_digest,
        "document": {**asdict(ref), "kind": ref.kind.value},
    }


def document_ref(message: dict[str, Any]) -> DocumentRef:
    data = message["document"]
    return DocumentRef(**{**data, "kind": DocumentKind(data["kind"])})


@lru_cache(maxsize=8)
def _snapshot(digest: str) -> OrderSnapshot:
    """The documents of one order are rendered from one snapshot; parse it once."""
    return OrderSnapshot.from_json_bytes(services.staging().get(digest))


def snapshot_of(message: dict[str, Any]) -> OrderSnapshot:
    return _snapshot(message["snapshot"])


def render(message: dict[str, Any]) -> dict[str, Any]:
    """Render the PDF/A document and stage its bytes."""
    return with_rendering(message, render_document(snapshot_of(message), document_ref(message)))


def with_rendering(message: dict[str, Any], rendered: RenderedDocument) -> dict[str, Any]:
    """Stage the bytes; the next stages find them, and their hash, in the message."""
    digest = services.staging().put(rendered.bytes)
    return {
        **message,
        "rendered": digest,
        "sha256": rendered.sha256,
        "filename": rendered.filename,
        "template_version": rendered.template_version,
    }


def record_class_to_json(record_class: RecordClass) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record_class):
        value = getattr(record_class, f.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif f.name == "kind":
            value = value.value
        elif f.name == "category_attributes":
            value = dict(value)
        out[f.name] = value
    return out


def classify_document(message: dict[str, Any]) -> dict[str, Any]:
    """Attach the records class from the file plan, for the order's tax jurisdiction."""
    snapshot = snapshot_of(message)
    return with_record_class(message, snapshot, tax_country(snapshot))


def with_record_class(message: dict[str, Any], source: Source, jurisdiction: str) -> dict[str, Any]:
    """A kind the file plan does not know fails for good: retrying cannot add a class."""
    try:
        record_class = classify(document_ref(message), source, jurisdiction)
    except UnmappedDocumentKind as exc:
        raise UnmappedKind(str(exc)) from exc
    return {**message, "record_class": record_class_to_json(record_class)}
