"""Classify a document into its records class from the file plan (``retention.toml``).

MoReq2010's "class determines destiny": a document whose kind has no class is refused
here, loudly, rather than declared without a retention schedule. The ECM owns the
retention clock; the expected disposition date computed here is for our reports only.
What the plan needs of the document (jurisdiction, record date, its own category
attributes) its flow provides; the rest is the same for every flow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec
from pipeline.core.errors import PermanentError
from schemas.retention import RetentionPlan, load_retention_plan

if TYPE_CHECKING:
    from pipeline.core.contract import Flow

RETENTION_FILE_ENV = "BCRM_RETENTION_FILE"
SOURCE_SYSTEM = "BigCommerce"
DEFAULT_RETENTION_FILE = Path(__file__).resolve().parents[2] / "retention.toml"
# The attributes `_category_attributes` fills for every flow, with the Content Server
# type each must have (days travel as `YYYY-MM-DD`, reference §6).
RECORD_ATTRIBUTES: Mapping[str, str] = {
    "Source System": "String",
    "Store Hash": "String",
    "Document Kind": "String",
    "Document Date": "Date",
    "Jurisdiction": "String",
    "Source Fingerprint": "String",
    "Record Key": "String",
    "Trigger Event": "String",
    "Trigger Date": "Date",
    "File Plan Version": "String",
}


class UnmappedDocumentKind(PermanentError):
    """The file plan has no class for this document kind: retrying cannot add one."""

    def __init__(self, kind: str, plan_version: str) -> None:
        super().__init__(
            f"document kind {kind!r} has no records class in retention plan "
            f"version {plan_version}; add [classes.{kind}] to retention.toml"
        )
        self.kind = kind


@dataclass(frozen=True)
class RecordClass:
    """Everything declare needs to file a document as an official record."""

    kind: str
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

    def to_json(self) -> dict[str, Any]:
        """The form it travels in, inside the declare message."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime | date):
                value = value.isoformat()
            elif f.name == "category_attributes":
                value = dict(value)
            out[f.name] = value
        return out


@cache
def default_plan() -> RetentionPlan:
    """The plan every worker uses; call at start-up so a bad file stops the worker there."""
    path = Path(os.environ.get(RETENTION_FILE_ENV, DEFAULT_RETENTION_FILE))
    return load_retention_plan(path, registry.every_record_date_fact())


def _category_attributes(
    flow: Flow,
    source: Any,
    spec: DocumentSpec,
    jurisdiction: str,
    trigger_event: str,
    plan_version: str,
    record_date: datetime,
) -> dict[str, str]:
    """Category attribute values: identifiers only, never a customer's name or address."""
    day = record_date.date().isoformat()
    return {
        "Source System": SOURCE_SYSTEM,
        "Store Hash": spec.store_hash,
        **flow.category_attributes(source, spec),
        "Document Kind": spec.kind,
        "Document Date": day,
        "Jurisdiction": jurisdiction,
        "Source Fingerprint": spec.fingerprint,
        "Record Key": names.record_key(spec),
        "Trigger Event": trigger_event,
        "Trigger Date": day,
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
    flow: Flow,
    source: Any,
    spec: DocumentSpec,
    plan: RetentionPlan | None = None,
    jurisdiction: str | None = None,
) -> RecordClass:
    """Map a document to its records class for its jurisdiction (ISO 3166-1 alpha-2): the
    one its flow names, unless one is given (what-if reports, tests).

    Raises UnmappedDocumentKind when the plan has no class for the document's kind.
    """
    plan = plan or default_plan()
    rule = plan.classes.get(spec.kind)
    if rule is None:
        raise UnmappedDocumentKind(spec.kind, plan.version)
    jurisdiction = (jurisdiction or flow.jurisdiction(source, spec)).upper()
    record_date = flow.record_date(source, spec, rule.record_date)
    years = rule.years_for(jurisdiction)
    return RecordClass(
        kind=spec.kind,
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
            flow, source, spec, jurisdiction, rule.trigger_event, plan.version, record_date
        ),
    )


def classify_document(flow: Flow, source: Any, spec: DocumentSpec) -> dict[str, Any]:
    """The records class as the declare message carries it."""
    return classify(flow, source, spec).to_json()
