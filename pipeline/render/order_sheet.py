"""What every order document has in common: who sold, to whom, and the source attached."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.documents import DocumentRef, document_date
from pipeline.render.sheet import DocumentMeta, RenderedDocument, Sheet
from schemas.bigcommerce import Address
from schemas.snapshot import OrderSnapshot, Seller


def seller_lines(seller: Seller) -> list[str]:
    lines = [seller.legal_name, *seller.address_lines]
    if seller.tax_id:
        lines.append(f"Tax ID: {seller.tax_id}")
    return [*lines, seller.email]


def address_lines(address: Address | None) -> list[str]:
    """Postal lines only: contact details stay out of archived documents."""
    if address is None:
        return []
    return [
        f"{address.first_name} {address.last_name}".strip(),
        address.company,
        address.street_1,
        address.street_2,
        f"{address.zip} {address.city}".strip(),
        address.state if address.state != address.city else "",
        address.country,
    ]


def open_order_sheet(
    snapshot: OrderSnapshot,
    ref: DocumentRef,
    heading: str,
    title: str,
    template_version: str,
    facts: Sequence[tuple[str, str]],
) -> Sheet:
    """A sheet with metadata set and the seller and document facts drawn."""
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {snapshot.store_hash}",
            author=snapshot.seller.legal_name,
            date=document_date(snapshot, ref),
            template_version=template_version,
            filename=ref.filename,
        )
    )
    sheet.title_block(seller_lines(snapshot.seller), facts)
    return sheet


def finish_order_sheet(sheet: Sheet, snapshot: OrderSnapshot) -> RenderedDocument:
    name = f"order-{snapshot.order.id}-snapshot.json"
    return sheet.finish(snapshot.to_json_bytes(), name)
