"""What every recall document opens with: the recall's identity, identifiers, window,
hazard, remedy, decision and hold, on a sheet with the document's facts attached."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename, stem_of
from pipeline.flows.recalls.documents import facts_of
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Attachment, DocumentMeta, RenderedDocument, Sheet
from schemas.snapshot import canonical_json


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values) or "-"


def recall_facts(source: RecallFile) -> list[tuple[str, str]]:
    recall = source.recall
    ids = recall.identifiers
    return [
        ("Recall", recall.recall_id),
        ("Store", recall.store_hash),
        ("SKUs", _listed(ids.skus)),
        ("GTINs / UPCs", _listed(ids.gtins)),
        ("MPNs", _listed(ids.mpns)),
        ("Lots", _listed(ids.lots)),
        ("Sold from", fmt.day(recall.sold_from)),
        ("Sold to", fmt.day(recall.sold_to) if recall.sold_to else "open"),
        ("Severity", recall.severity),
        ("Decision", recall.decision),
        ("Opened by", f"user {recall.opened_by}" if recall.opened_by else "-"),
        (
            "Decided",
            f"user {recall.decided_by}, {fmt.timestamp(recall.decided_at)}"
            if recall.decided_by and recall.decided_at
            else "not yet",
        ),
        ("Legal hold", recall.hold_name),
    ]


def as_of(source: RecallFile) -> datetime:
    """The latest dated fact the documents show: the same facts date the same bytes."""
    recall = source.recall
    moments = [recall.opened_at or recall.sold_from, recall.decided_at, recall.closed_at,
               recall.holds_released_at, *(line.order_date for line in source.lines)]  # fmt: skip
    return max(m for m in moments if m is not None)


def open_recall_sheet(
    source: RecallFile, spec: DocumentSpec, heading: str, template_version: str
) -> Sheet:
    title = f"{heading.title()} of recall {source.recall_id}"
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {source.store_hash}",
            author=f"bcrm, BigCommerce store {source.store_hash}",
            date=as_of(source),
            template_version=template_version,
            filename=filename(spec),
        )
    )
    sheet.title_block(
        [f"BigCommerce store {source.store_hash}", "Product recall"], recall_facts(source)
    )
    sheet.section("Hazard")
    sheet.note(source.recall.hazard or "-")
    sheet.section("Remedy")
    sheet.note(source.recall.remedy or "-")
    return sheet


def finish(
    sheet: Sheet, source: RecallFile, spec: DocumentSpec, extra: Sequence[Attachment] = ()
) -> RenderedDocument:
    """Close the sheet with the document's facts (what its fingerprint is over) attached."""
    facts = canonical_json(facts_of(source, spec.kind, spec.part))
    return sheet.finish(facts, f"{stem_of(spec)}.json", extra)
