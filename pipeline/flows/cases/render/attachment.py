"""An attachment as a record: kept as it came when its type is allowed; otherwise a
PDF that says what arrived (name, type, size, SHA-256) and why it was not kept."""

from __future__ import annotations

import hashlib

from pipeline.core.contract import DocumentSpec
from pipeline.flows.cases.documents import ALLOWED_ATTACHMENTS, attachment_of, is_allowed
from pipeline.flows.cases.render.case_sheet import finish, open_case_sheet
from pipeline.records.pdf.sheet import RenderedDocument
from pipeline.runtime import services
from schemas.case_file import CaseFile

TEMPLATE_VERSION = "case-attachment-1.0"
REFUSAL_TEMPLATE_VERSION = "case-attachment-refusal-1.0"


def render_case_attachment(case: CaseFile, spec: DocumentSpec) -> RenderedDocument:
    attachment = attachment_of(case, spec)
    ref = attachment.ref
    if not is_allowed(attachment):
        return _refusal(case, spec, attachment.number)
    data = services.staging().get(ref.sha256)
    return RenderedDocument(
        bytes=data,
        sha256=hashlib.sha256(data).hexdigest(),
        template_version=TEMPLATE_VERSION,
        page_count=0,
        filename=ref.name,
        media_type=ref.content_type,
    )


def _refusal(case: CaseFile, spec: DocumentSpec, number: int) -> RenderedDocument:
    ref = attachment_of(case, spec).ref
    sheet = open_case_sheet(
        case,
        spec,
        "ATTACHMENT REFUSED",
        case.opened_at,
        REFUSAL_TEMPLATE_VERSION,
        [("Attachment", str(number))],
    )
    sheet.warning(
        f"Attachment {number} was not kept: its type {ref.content_type} is not one the "
        f"case file keeps ({', '.join(sorted(ALLOWED_ATTACHMENTS))})."
    )
    sheet.key_values(
        [("Name", ref.name), ("Type", ref.content_type), ("Size", f"{ref.size} bytes"),
         ("SHA-256", ref.sha256)]
    )  # fmt: skip
    return finish(sheet, case, spec)
