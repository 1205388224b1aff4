"""The file plan is validated at load, and every error names the key that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import registry
from pipeline.flows.commerce.documents import due_documents
from pipeline.records.classify import DEFAULT_RETENTION_FILE
from schemas.retention import RetentionPlanError, load_retention_plan, parse_retention_plan
from schemas.snapshot import OrderSnapshot

SHIPPED_PLAN = DEFAULT_RETENTION_FILE.read_text(encoding="utf-8")
KINDS = registry.every_record_date_fact()


def test_shipped_plan_maps_every_document_kind_of_every_flow() -> None:
    plan = load_retention_plan(DEFAULT_RETENTION_FILE, KINDS)
    every_kind = {kind for flow in registry.flows().values() for kind in flow.kinds}
    assert every_kind == set(KINDS)
    assert set(plan.classes) == every_kind
    assert plan.version == "2026.1"
    assert plan.category == "Commerce Record"


def test_classes_sharing_an_rsi_share_its_schedule() -> None:
    """An RSI is one retention schedule in the ECM: the kinds filed under it (a case
    file's summary, log, attachments and closure) must keep to the same one."""
    plan = load_retention_plan(DEFAULT_RETENTION_FILE, KINDS)
    schedules: dict[str, set[tuple[object, ...]]] = {}
    for rule in plan.classes.values():
        schedule = (rule.trigger_event, rule.cutoff, tuple(sorted(rule.retention_years.items())))
        schedules.setdefault(rule.rsi, set()).add(schedule)
    assert all(len(kept) == 1 for kept in schedules.values()), schedules
    # A case file's kinds share one RSI, as do a publish receipt and refusal (they are kept
    # with their approval), a recall's file, and a campaign's promotion versions,
    # exceptions and closeout (kept from the campaign's end); every other kind has its own.
    shared = ("case_", "publish_", "recall_", "campaign_", "promotion_")
    order_rsis = [rule.rsi for kind, rule in plan.classes.items() if not kind.startswith(shared)]
    assert len(order_rsis) == len(set(order_rsis))


def test_every_record_date_a_flow_offers_it_can_give(shipped_order: OrderSnapshot) -> None:
    """A fact a kind offers for its record date resolves on a document of that kind."""
    for spec in due_documents(shipped_order):
        flow = registry.flow(spec.flow)
        for fact in flow.record_date_facts[spec.kind]:
            assert flow.record_date(shipped_order, spec, fact).tzinfo is not None


def _broken(old: str, new: str) -> str:
    assert old in SHIPPED_PLAN
    return SHIPPED_PLAN.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (_broken("[classes.invoice]", "[classes.invoce]"), "classes.invoce: 'invoce' is not"),
        (_broken('rsi = "BCRM-FIN-INV"', 'rsi = "fin inv"'), "classes.invoice.rsi"),
        (_broken("DE = 8,", "Germany = 8,"), "classes.invoice.retention_years.Germany"),
        (
            _broken("retention_years = { default = 2 }", "retention_years = { US = 2 }"),
            "classes.packing_slip.retention_years: needs a 'default' period",
        ),
        (_broken("vital = true", 'vital = "yes"'), "classes.tax_summary_monthly.vital"),
        (
            _broken('record_date = "refund.created"', 'record_date = "shipment.date_created"'),
            "classes.credit_note.record_date: must be one of",
        ),
        (
            _broken('cutoff = "fiscal_year_end"', 'cutoff = "someday"'),
            "classes.order_record.cutoff",
        ),
        (_broken('version = "2026.1"', ""), "version: Missing data"),
        (
            _broken("retention_years = { default = 10 }", "retention_years = { default = -1 }"),
            "classes.tax_summary_monthly.retention_years",
        ),
    ],
)
def test_invalid_plan_is_refused_naming_the_bad_key(text: str, named: str) -> None:
    with pytest.raises(RetentionPlanError, match="not a valid file plan") as error:
        parse_retention_plan(text, KINDS)
    assert named in str(error.value)


def test_invalid_toml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    plan = tmp_path / "retention.toml"
    plan.write_text("version = \n", encoding="utf-8")
    with pytest.raises(RetentionPlanError, match=f"{plan}: not valid TOML"):
        load_retention_plan(plan, KINDS)
