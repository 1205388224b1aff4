"""Render documents as PDF/A-3b records: deterministic bytes, source attached, SHA-256."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.flows.commerce.documents import DocumentKind, DocumentRef
from pipeline.flows.commerce.render.invoice import render_invoice, render_tax_breakdown
from pipeline.flows.commerce.render.order_record import render_order_record
from pipeline.flows.commerce.render.payments import render_credit_note, render_payment_record
from pipeline.flows.fulfilment.render.fulfilment import (
    render_packing_slip,
    render_shipping_confirmation,
)
from pipeline.flows.fulfilment.render.tax_summary import render_tax_summary
from pipeline.records.pdf.fonts import FONT_BOOK
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.snapshot import OrderSnapshot

__all__ = ["RenderedDocument", "render_document", "render_tax_summary", "warm_renderer"]

ORDER_RENDERERS: Mapping[DocumentKind, Callable[[OrderSnapshot, DocumentRef], RenderedDocument]] = {
    DocumentKind.ORDER_RECORD: render_order_record,
    DocumentKind.INVOICE: render_invoice,
    DocumentKind.TAX_BREAKDOWN: render_tax_breakdown,
    DocumentKind.CREDIT_NOTE: render_credit_note,
    DocumentKind.PAYMENT_RECORD: render_payment_record,
    DocumentKind.PACKING_SLIP: render_packing_slip,
    DocumentKind.SHIPPING_CONFIRMATION: render_shipping_confirmation,
}


def render_document(snapshot: OrderSnapshot, ref: DocumentRef) -> RenderedDocument:
    """Render one order document; the monthly tax summary goes through render_tax_summary."""
    renderer = ORDER_RENDERERS.get(ref.kind)
    if renderer is None:
        raise ValueError(f"{ref.kind.value} is not rendered from an order snapshot")
    return renderer(snapshot, ref)


def warm_renderer() -> None:
    """Parse the shipped fonts once, at worker start, so the first render is not slow."""
    FONT_BOOK.warm()
