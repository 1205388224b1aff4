"""Classify a document into its records class from the file plan (``retention.toml``).

MoReq2010's "class determines destiny": a document whose kind has no class is refused
here, loudly, rather than declared without a retention schedule. The ECM owns the
retention clock; the expected disposition date computed here is for our reports only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from pipeline.flows.commerce.documents import (
    SUB_ID_LABELS,
    DocumentKind,
    DocumentRef,
    last_business_event,
)
from schemas.retention import RetentionPlan, load_retention_plan
from schemas.snapshot import OrderSnapshot, TaxSummary

RETENTION_FILE_ENV = "BCRM_RETENTION_FILE"
SOURCE_SYSTEM = "BigCommerce"
DEFAULT_RETENTION_FILE = Path(__file__).resolve().parents[2] / "retention.toml"

Source = OrderSnapshot | TaxSummary


class UnmappedDocumentKind(ValueError):
    """The file plan has no class for this document kind: a permanent error."""

    def __init__(self, kind: DocumentKind, plan_version: str) -> None:
        super().__init__(
            f"document kind {kind.value!r} has no records class in retention plan "
            f"version {plan_version}; add [classes.{kind.value}] to retention.toml"
        )
        self.kind = kind


@dataclass(frozen=True)
class RecordClass:
    """Everything declare needs to file a document as an official record."""

    kind: DocumentKind
    classification: str
    rsi: str
    record_date: datetime
    trigger_event: str
    cutoff: str
    jurisdiction: str
    retention_years: int
    expected_disposition: date
    vital: bool
    disposition: str
    mandate: str
    folder: str
    file_plan_version: str
    category: str
    category_attributes: Mapping[str, str]


def _sub_id(ref: DocumentRef) -> int:
    return int(str(ref.sub_id))


def _order(source: Source) -> OrderSnapshot:
    if not isinstance(source, OrderSnapshot):
        raise TypeError(f"an order record date needs an OrderSnapshot, got {type(source).__name__}")
    return source


def _summary(source: Source) -> TaxSummary:
    if not isinstance(source, TaxSummary):
        raise TypeError(f"summary.period_end needs a TaxSummary, got {type(source).__name__}")
    return source


RECORD_DATE_RESOLVERS: Mapping[str, Callable[[Source, DocumentRef], datetime]] = {
    "order.date_created": lambda source, _: _order(source).order.date_created,
    "order.closed_at": lambda source, _: last_business_event(_order(source)),
    "shipment.date_created": lambda source, ref: _order(source).shipment(_sub_id(ref)).date_created,
    "refund.created": lambda source, ref: _order(source).refund(_sub_id(ref)).created,
    "transaction.date_created": (
        lambda source, ref: _order(source).transaction(_sub_id(ref)).date_created
    ),
    "summary.period_end": lambda source, _: _summary(source).period_end,
}


@cache
def default_plan() -> RetentionPlan:
    """The plan every worker uses; call at start-up so a bad file stops the worker there."""
    return load_retention_plan(Path(os.environ.get(RETENTION_FILE_ENV, DEFAULT_RETENTION_FILE)))


def _category_attributes(
    ref: DocumentRef,
    source: Source,
    jurisdiction: str,
    trigger_event: str,
    plan_version: str,
    record_date: datetime,
) -> dict[str, str]:
    """Commerce Record attribute values: identifiers only, never a customer's name or address."""
    if isinstance(source, OrderSnapshot):
        currency, customer = source.order.currency_code, str(source.order.customer_id)
    else:
        currency, customer = source.currency, ""
    order_id = "" if ref.order_id is None else str(ref.order_id)
    return {
        "Source System": SOURCE_SYSTEM,
        "Store Hash": ref.store_hash,
        "Object Type": SUB_ID_LABELS.get(ref.kind, "order" if ref.order_id else "tax_period"),
        "Object ID": ref.sub_id or order_id,
        "Order Number": order_id,
        "Document Kind": ref.kind.value,
        "Document Date": record_date.date().isoformat(),
        "Order ID": order_id,
        "Source ID": ref.sub_id or "",
        "Customer ID": customer,
        "Currency": currency,
        "Jurisdiction": jurisdiction,
        "Source Fingerprint": ref.fingerprint,
        "Record Key": ref.record_key,
        "Trigger Event": trigger_event,
        "Trigger Date": record_date.date().isoformat(),
        "File Plan Version": plan_version,
    }


def _expected_disposition(record_date: datetime, years: int, cutoff: str) -> date:
    """Our estimate of when the ECM will offer the record for disposition (calendar FY)."""
    start = date(record_date.year, 12, 31) if cutoff == "fiscal_year_end" else record_date.date()
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a non-leap year
        return start.replace(year=start.year + years, day=28)


def classify(
    ref: DocumentRef, source: Source, jurisdiction: str, plan: RetentionPlan | None = None
) -> RecordClass:
    """Map a document to its records class for one jurisdiction (ISO 3166-1 alpha-2).

    Raises UnmappedDocumentKind when the plan has no class for the document's kind.
    """
    plan = plan or default_plan()
    rule = plan.classes.get(ref.kind)
    if rule is None:
        raise UnmappedDocumentKind(ref.kind, plan.version)
    jurisdiction = jurisdiction.upper()
    record_date = RECORD_DATE_RESOLVERS[rule.record_date](source, ref)
    years = rule.years_for(jurisdiction)
    return RecordClass(
        kind=ref.kind,
        classification=rule.classification,
        rsi=rule.rsi_for(jurisdiction),
        record_date=record_date,
        trigger_event=rule.trigger_event,
        cutoff=rule.cutoff,
        jurisdiction=jurisdiction,
        retention_years=years,
        expected_disposition=_expected_disposition(record_date, years, rule.cutoff),
        vital=rule.vital,
        disposition=rule.disposition,
        mandate=rule.mandate,
        folder=rule.folder,
        file_plan_version=plan.version,
        category=plan.category,
        category_attributes=_category_attributes(
            ref, source, jurisdiction, rule.trigger_event, plan.version, record_date
        ),
    )
