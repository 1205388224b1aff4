"""Classification per jurisdiction, record dates from the named field, unmapped kinds refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec
from pipeline.core.errors import PermanentError
from pipeline.core.names import record_key
from pipeline.flows.commerce.documents import (
    DocumentKind,
    due_documents,
)
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from pipeline.records.classify import RecordClass, UnmappedDocumentKind, classify, default_plan
from schemas.retention import RetentionPlan
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.documents.payloads import snapshot_payload


def _classify(
    spec: DocumentSpec,
    source: OrderSnapshot | TaxSummary,
    jurisdiction: str,
    plan: RetentionPlan | None = None,
) -> RecordClass:
    """Classify as the classify stage does, for a given jurisdiction."""
    flow = registry.flow(spec.flow)
    return classify(flow, source, spec, plan=plan, jurisdiction=jurisdiction)


def _ref(snapshot: OrderSnapshot, kind: DocumentKind) -> DocumentSpec:
    return next(ref for ref in due_documents(snapshot) if ref.kind == kind)


@pytest.mark.parametrize(
    ("kind", "jurisdiction", "years"),
    [
        (DocumentKind.INVOICE, "DE", 8),
        (DocumentKind.INVOICE, "GB", 6),
        (DocumentKind.INVOICE, "US", 7),
        (DocumentKind.INVOICE, "NL", 7),
        (DocumentKind.INVOICE, "ES", 6),
        (DocumentKind.INVOICE, "FR", 10),
        (DocumentKind.CREDIT_NOTE, "de", 8),
        (DocumentKind.ORDER_RECORD, "DE", 6),
        (DocumentKind.ORDER_RECORD, "IT", 7),
        (DocumentKind.PACKING_SLIP, "DE", 2),
        (DocumentKind.SHIPPING_CONFIRMATION, "US", 2),
        (DocumentKind.PAYMENT_RECORD, "GB", 6),
    ],
)
def test_retention_follows_the_jurisdiction(
    shipped_order: OrderSnapshot, kind: DocumentKind, jurisdiction: str, years: int
) -> None:
    record = _classify(_ref(shipped_order, kind), shipped_order, jurisdiction)
    assert record.retention_years == years
    assert record.jurisdiction == jurisdiction.upper()


@pytest.mark.parametrize(
    ("jurisdiction", "rsi"),
    [("DE", "BCRM-FIN-INV-DE"), ("gb", "BCRM-FIN-INV-GB"), ("FR", "BCRM-FIN-INV")],
)
def test_overridden_jurisdiction_gets_its_own_rsi(
    shipped_order: OrderSnapshot, jurisdiction: str, rsi: str
) -> None:
    assert (
        _classify(_ref(shipped_order, DocumentKind.INVOICE), shipped_order, jurisdiction).rsi == rsi
    )


def test_invoice_class_carries_file_plan_facts(shipped_order: OrderSnapshot) -> None:
    record = _classify(_ref(shipped_order, DocumentKind.INVOICE), shipped_order, "DE")
    assert (record.rsi, record.classification, record.trigger_event) == (
        "BCRM-FIN-INV-DE",
        "Commerce Records/Finance/Invoices",
        "invoice_issued",
    )
    assert (record.vital, record.file_plan_version, record.category) == (
        False,
        "2026.1",
        "Commerce Record",
    )
    assert record.expected_disposition == date(2032, 12, 31)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (DocumentKind.INVOICE, lambda s: s.order.date_created),
        (DocumentKind.CREDIT_NOTE, lambda s: s.refunds[0].created),
        (DocumentKind.SHIPPING_CONFIRMATION, lambda s: s.shipments[0].date_created),
        (DocumentKind.ORDER_RECORD, lambda s: s.transactions[1].date_created),
    ],
)
def test_record_date_comes_from_the_named_field(
    shipped_order: OrderSnapshot, kind: DocumentKind, expected: object
) -> None:
    record = _classify(_ref(shipped_order, kind), shipped_order, "DE")
    assert record.record_date == expected(shipped_order)  # type: ignore[operator]


def test_payment_record_is_dated_by_its_own_transaction(shipped_order: OrderSnapshot) -> None:
    refs = [r for r in due_documents(shipped_order) if r.kind == DocumentKind.PAYMENT_RECORD]
    dates = [_classify(ref, shipped_order, "DE").record_date for ref in refs]
    assert dates == [t.date_created for t in shipped_order.transactions]


def test_monthly_tax_summary_is_vital_and_dated_at_period_end() -> None:
    summary = TaxSummary.load(
        {
            "store_hash": "s4mpl3",
            "seller": snapshot_payload("order_100")["seller"],
            "year": 2024,
            "month": 12,
            "currency": "EUR",
            "country_iso2": "DE",
            "rows": [],
        }
    )
    record = _classify(summary_spec(summary), summary, "DE")
    assert (record.vital, record.rsi, record.retention_years) == (True, "BCRM-TAX-MON", 10)
    assert record.record_date == summary.period_end
    assert record.category_attributes["Order ID"] == ""


def test_unmapped_kind_is_refused_with_a_clear_message(shipped_order: OrderSnapshot) -> None:
    plan = default_plan()
    partial = replace(
        plan, classes={k: v for k, v in plan.classes.items() if k != DocumentKind.INVOICE}
    )
    ref = _ref(shipped_order, DocumentKind.INVOICE)
    with pytest.raises(UnmappedDocumentKind, match=r"'invoice' has no records class.*2026\.1"):
        _classify(ref, shipped_order, "DE", plan=partial)
    assert issubclass(UnmappedDocumentKind, PermanentError)  # a duplicate waits on its dead letter


def test_category_attributes_identify_without_personal_data(shipped_order: OrderSnapshot) -> None:
    ref = _ref(shipped_order, DocumentKind.CREDIT_NOTE)
    attributes = _classify(ref, shipped_order, "DE").category_attributes
    assert attributes["Order ID"] == "100"
    assert attributes["Source ID"] == "7"
    assert attributes["Source Fingerprint"] == ref.fingerprint
    assert attributes["Record Key"] == record_key(ref)
    assert attributes["Trigger Event"] == "refund_settled"
    assert attributes["Source System"] == "BigCommerce"
    assert (attributes["Object Type"], attributes["Object ID"]) == ("refund", "7")
    assert attributes["Order Number"] == "100"
    assert (
        attributes["Document Date"]
        == attributes["Trigger Date"]
        == (_classify(ref, shipped_order, "DE").record_date.date().isoformat())
    )
    values = " ".join(attributes.values())
    for personal in ("Erika", "Mustermann", "example.com", "Musterstraße"):
        assert personal not in values
