"""Which documents are due, what they are called, and when a fact change makes a new version."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from pipeline.core.contract import DocumentSpec, Subject
from pipeline.core.names import filename, record_key
from pipeline.flows.commerce.documents import (
    DocumentKind,
    OrderStatus,
    document_date,
    due_documents,
    order_document,
)
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.documents.payloads import snapshot_payload


def _names(snapshot: OrderSnapshot) -> list[str]:
    return [filename(ref) for ref in due_documents(snapshot)]


def _with_status(snapshot: OrderSnapshot, status_id: int, **order_changes: Any) -> OrderSnapshot:
    return replace(snapshot, order=replace(snapshot.order, status_id=status_id, **order_changes))


def test_shipped_and_refunded_order_owes_every_kind(shipped_order: OrderSnapshot) -> None:
    assert _names(shipped_order) == [
        "order-100-order-record.pdf",
        "order-100-invoice.pdf",
        "order-100-tax-breakdown.pdf",
        "order-100-packing-slip-consignment-301.pdf",
        "order-100-shipping-confirmation-shipment-401.pdf",
        "order-100-credit-note-refund-7.pdf",
        "order-100-payment-record-transaction-501.pdf",
        "order-100-payment-record-transaction-502.pdf",
    ]


def test_order_awaiting_fulfilment_owes_a_packing_slip_per_consignment(
    international_order: OrderSnapshot,
) -> None:
    assert _names(international_order) == [
        "order-101-invoice.pdf",
        "order-101-tax-breakdown.pdf",
        "order-101-packing-slip-consignment-311.pdf",
        "order-101-packing-slip-consignment-312.pdf",
        "order-101-payment-record-transaction-511.pdf",
    ]


@pytest.mark.parametrize(
    "status", [OrderStatus.INCOMPLETE, OrderStatus.PENDING, OrderStatus.AWAITING_PAYMENT]
)
def test_unpaid_open_order_owes_nothing(shipped_order: OrderSnapshot, status: int) -> None:
    unpaid = replace(_with_status(shipped_order, status), shipments=(), refunds=(), transactions=())
    assert due_documents(unpaid) == []


def test_cancelled_unpaid_order_owes_only_its_order_record(shipped_order: OrderSnapshot) -> None:
    cancelled = replace(
        _with_status(shipped_order, OrderStatus.CANCELLED),
        shipments=(),
        refunds=(),
        transactions=(),
    )
    assert _names(cancelled) == ["order-100-order-record.pdf"]


def test_settled_transaction_makes_invoice_due_while_status_lags(
    shipped_order: OrderSnapshot,
) -> None:
    lagging = replace(_with_status(shipped_order, OrderStatus.PENDING), shipments=(), refunds=())
    kinds = [ref.kind for ref in due_documents(lagging)]
    assert DocumentKind.INVOICE in kinds
    assert DocumentKind.PACKING_SLIP not in kinds


def test_failed_transaction_does_not_count_as_payment(shipped_order: OrderSnapshot) -> None:
    declined = replace(shipped_order.transactions[0], status="error")
    lagging = replace(
        _with_status(shipped_order, OrderStatus.PENDING),
        shipments=(),
        refunds=(),
        transactions=(declined,),
    )
    kinds = [ref.kind for ref in due_documents(lagging)]
    assert kinds == [DocumentKind.PAYMENT_RECORD]


def test_partially_refunded_order_is_closed_only_once_everything_shipped(
    shipped_order: OrderSnapshot,
) -> None:
    half_shipped = _with_status(shipped_order, OrderStatus.PARTIALLY_REFUNDED, items_shipped=2)
    assert DocumentKind.ORDER_RECORD not in [ref.kind for ref in due_documents(half_shipped)]
    assert due_documents(shipped_order)[0].kind == DocumentKind.ORDER_RECORD


def test_digital_order_owes_no_packing_slip(shipped_order: OrderSnapshot) -> None:
    digital = replace(
        _with_status(shipped_order, OrderStatus.COMPLETED), shipping_addresses=(), shipments=()
    )
    assert DocumentKind.PACKING_SLIP not in [ref.kind for ref in due_documents(digital)]


def _ref(snapshot: OrderSnapshot, kind: DocumentKind, sub_id: str | None = None) -> DocumentSpec:
    return order_document(snapshot, kind, sub_id)


def test_invoice_fingerprint_survives_shipping_and_refunding(shipped_order: OrderSnapshot) -> None:
    paid_only = replace(
        _with_status(
            shipped_order,
            OrderStatus.AWAITING_FULFILLMENT,
            items_shipped=0,
            refunded_amount=Decimal("0"),
            date_modified=shipped_order.order.date_created,
            date_shipped=None,
            payment_status="captured",
        ),
        products=tuple(
            replace(line, quantity_shipped=0, quantity_refunded=0, refund_amount=Decimal("0"))
            for line in shipped_order.products
        ),
        shipments=(),
        refunds=(),
    )
    for kind in (DocumentKind.INVOICE, DocumentKind.TAX_BREAKDOWN):
        assert _ref(paid_only, kind).fingerprint == _ref(shipped_order, kind).fingerprint
    assert _ref(paid_only, DocumentKind.PACKING_SLIP, "301") == _ref(
        shipped_order, DocumentKind.PACKING_SLIP, "301"
    )


def test_changed_line_price_makes_a_new_invoice_version(shipped_order: OrderSnapshot) -> None:
    repriced = replace(
        shipped_order,
        products=(
            replace(shipped_order.products[0], total_inc_tax=Decimal("29.0000")),
            *shipped_order.products[1:],
        ),
    )
    before, after = _ref(shipped_order, DocumentKind.INVOICE), _ref(repriced, DocumentKind.INVOICE)
    assert filename(before) == filename(after)
    assert before.fingerprint != after.fingerprint
    assert record_key(before) != record_key(after)


def test_new_refund_leaves_earlier_credit_note_unchanged(shipped_order: OrderSnapshot) -> None:
    second = replace(shipped_order.refunds[0], id=8, created=shipped_order.refunds[0].created)
    more = replace(shipped_order, refunds=(*shipped_order.refunds, second))
    assert _ref(more, DocumentKind.CREDIT_NOTE, "7") == _ref(
        shipped_order, DocumentKind.CREDIT_NOTE, "7"
    )


def test_record_key_names_store_document_and_version(shipped_order: OrderSnapshot) -> None:
    ref = _ref(shipped_order, DocumentKind.CREDIT_NOTE, "7")
    assert record_key(ref) == f"s4mpl3/order-100-credit-note-refund-7/{ref.fingerprint[:16]}"
    assert len(ref.fingerprint) == 64


def test_tax_summary_ref_is_named_by_period() -> None:
    summary = TaxSummary.load(
        {
            "store_hash": "s4mpl3",
            "seller": snapshot_payload("order_100")["seller"],
            "year": 2024,
            "month": 3,
            "currency": "EUR",
            "country_iso2": "DE",
            "rows": [],
        }
    )
    ref = summary_spec(summary)
    assert (filename(ref), ref.subject, ref.part) == (
        "tax-summary-2024-03-EUR-DE.pdf",
        Subject("store_month", "2024-03"),
        "EUR-DE",
    )


def test_documents_are_dated_when_their_facts_last_changed(shipped_order: OrderSnapshot) -> None:
    """Not the order's creation: the latest source change the document shows."""
    dates = {ref.kind: document_date(shipped_order, ref) for ref in due_documents(shipped_order)}
    order = shipped_order.order
    assert order.date_modified > order.date_created
    assert dates[DocumentKind.INVOICE] == order.date_modified
    assert dates[DocumentKind.TAX_BREAKDOWN] == order.date_modified
    assert dates[DocumentKind.SHIPPING_CONFIRMATION] == shipped_order.shipments[0].date_created
    assert dates[DocumentKind.CREDIT_NOTE] == shipped_order.refunds[0].created
    assert dates[DocumentKind.ORDER_RECORD] == order.date_modified  # after the last refund
    assert dates[DocumentKind.ORDER_RECORD] - order.date_created > timedelta(days=5)


def test_ref_to_a_part_the_order_does_not_have_is_refused(shipped_order: OrderSnapshot) -> None:
    with pytest.raises(LookupError, match="order 100 has no shipment 999"):
        order_document(shipped_order, DocumentKind.SHIPPING_CONFIRMATION, "999")


def test_an_order_record_is_dated_by_an_event_date_modified_missed(
    shipped_order: OrderSnapshot,
) -> None:
    """A refund does not always move the order's `date_modified`: the record still shows it."""
    order = replace(shipped_order.order, date_modified=shipped_order.order.date_created)
    snapshot = replace(shipped_order, order=order)
    record = order_document(snapshot, DocumentKind.ORDER_RECORD)
    assert document_date(snapshot, record) == snapshot.transactions[1].date_created
