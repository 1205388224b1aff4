"""A file a person handed in (notice, supplier certificate, safety bulletin), kept as it
came: its bytes are the record, their SHA-256 its fixity."""

from __future__ import annotations

import hashlib

from pipeline.core.contract import DocumentSpec
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.records.pdf.sheet import RenderedDocument
from pipeline.runtime import services

TEMPLATE_VERSION = "recall-file-1.0"


def render_attached(source: RecallFile, spec: DocumentSpec) -> RenderedDocument:
    attached = source.attachment
    if attached is None:
        raise LookupError(f"{spec.kind}: the recall file carries no handed-in file")
    data = services.staging().get(attached.digest)
    return RenderedDocument(
        bytes=data,
        sha256=hashlib.sha256(data).hexdigest(),
        template_version=TEMPLATE_VERSION,
        page_count=0,
        filename=attached.name,
        media_type=attached.content_type,
    )
