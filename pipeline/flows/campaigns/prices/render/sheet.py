"""What both price documents open with: a sheet titled for the campaign, its facts, and
the source JSON attached when it is finished."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename
from pipeline.index.money import from_minor
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import DocumentMeta, Sheet


def open_campaign_sheet(
    spec: DocumentSpec,
    heading: str,
    title: str,
    when: datetime,
    template_version: str,
    facts: Sequence[tuple[str, str]],
) -> Sheet:
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {spec.store_hash}",
            author=f"bcrm, BigCommerce store {spec.store_hash}",
            date=when,
            template_version=template_version,
            filename=filename(spec),
        )
    )
    sheet.title_block(
        [f"BigCommerce store {spec.store_hash}", f"Campaign {spec.subject.id}"], facts
    )
    return sheet


def amount(minor: int | None, currency: str) -> str:
    """A table cell: the amount in the currency's units, `-` when there is none."""
    return "-" if minor is None else fmt.amount_in(from_minor(minor, currency), currency)


def yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")
