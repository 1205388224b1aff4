"""Renderers of the commerce documents: PDF/A-3b records with the order snapshot attached."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.documents import DocumentKind
from pipeline.flows.commerce.render.invoice import render_invoice
from pipeline.flows.commerce.render.order_record import render_order_record
from pipeline.flows.commerce.render.payments import render_credit_note, render_payment_record
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.snapshot import OrderSnapshot

OrderRenderer = Callable[[OrderSnapshot, DocumentSpec], RenderedDocument]

COMMERCE_RENDERERS: Mapping[DocumentKind, OrderRenderer] = {
    DocumentKind.ORDER_RECORD: render_order_record,
    DocumentKind.INVOICE: render_invoice,
    DocumentKind.CREDIT_NOTE: render_credit_note,
    DocumentKind.PAYMENT_RECORD: render_payment_record,
}
