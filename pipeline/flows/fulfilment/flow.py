"""Flow 5, tax and fulfilment documents: an order's tax breakdown, packing slips and
shipping confirmations (from the same order snapshot commerce reads), and each store's
monthly tax summaries (from the store's month, which beat's monthly job stages)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from celery.schedules import crontab

from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    Placement,
    Source,
    UnknownRecordDate,
)
from pipeline.flows.commerce.documents import DocumentKind as OrderKind
from pipeline.flows.commerce.flow import OrderDocumentsFlow, order_kinds
from pipeline.flows.commerce.order_records import RECORD_DATE_FACTS
from pipeline.flows.commerce.render.invoice import render_tax_breakdown
from pipeline.flows.fulfilment.render.fulfilment import (
    render_packing_slip,
    render_shipping_confirmation,
)
from pipeline.flows.fulfilment.render.tax_summary import render_tax_summary
from pipeline.flows.fulfilment.tax_summaries import NAME, STORE_MONTH, TAX_SUMMARY_MONTHLY
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan
from schemas.snapshot import TaxSummary

PERIOD_END = "summary.period_end"


class StoreMonthSource(Source):
    """A store's tax for one month, currency and country (`TaxSummary`), staged by the
    monthly job rather than fetched by a stage."""

    name = STORE_MONTH
    flow = "fulfilment"

    def load(self, raw: bytes) -> TaxSummary:
        return TaxSummary.from_json_bytes(raw)


KINDS: Mapping[str, DocumentKind] = {
    **order_kinds(
        "fulfilment",
        {
            OrderKind.TAX_BREAKDOWN: render_tax_breakdown,
            OrderKind.PACKING_SLIP: render_packing_slip,
            OrderKind.SHIPPING_CONFIRMATION: render_shipping_confirmation,
        },
    ),
    TAX_SUMMARY_MONTHLY: DocumentKind(TAX_SUMMARY_MONTHLY, NAME, STORE_MONTH, render_tax_summary),
}


class FulfilmentFlow(OrderDocumentsFlow):
    name = "fulfilment"
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **{kind: facts for kind, facts in RECORD_DATE_FACTS.items() if kind in KINDS},
        TAX_SUMMARY_MONTHLY: (PERIOD_END,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """Order documents from an order; a month's summaries are owed by the monthly job
        itself (`tax_summaries.start_chains`), which computes them from many orders."""
        return [] if isinstance(source, TaxSummary) else super().documents_owed(source)

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """A summary reports its own country's tax: that country's rules apply."""
        if isinstance(source, TaxSummary):
            return source.country_iso2
        return super().jurisdiction(source, spec)

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if isinstance(source, TaxSummary):
            if fact != PERIOD_END:
                raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
            return source.period_end
        return super().record_date(source, spec, fact)

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        if isinstance(source, TaxSummary):
            period = f"{spec.subject.id}-{spec.part}"
            return {
                "Object Type": "tax_period",
                "Object ID": period,
                "Order Number": "",
                "Order ID": "",
                "Source ID": period,
                "Customer ID": "",
                "Currency": source.currency,
            }
        return super().category_attributes(source, spec)

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        """Summaries go to `<folder>/<store>` under the ECM's root (the folder is the file
        plan's and must exist); order documents to the order's workspace."""
        if isinstance(source, TaxSummary):
            return Placement(folders=(spec.store_hash,), root_path=folder)
        return super().placement(source, spec, folder)

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        """The order workspace's needs, plus the summaries' folder under the ECM's root."""
        needs = super().ecm_needs(plan)
        summaries = plan.classes.get(TAX_SUMMARY_MONTHLY)
        if summaries is None:
            return needs
        return replace(needs, root_paths=needs.root_paths | {summaries.folder})

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """The previous month's summaries, on the 1st of each month at 02:00 UTC."""
        return {
            f"tax-summaries-{store_hash}": {
                "task": "bcrm.control.tax_summaries",
                "schedule": crontab(minute=0, hour=2, day_of_month=1),
                "args": [store_hash],
            }
            for store_hash in config.store_tokens
        }


FLOW = FulfilmentFlow()
SOURCES = (StoreMonthSource(),)
