"""`bcrm retention check`: the file plan, validated and shown."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from schemas.retention import RetentionPlanError


@click.group()
def retention() -> None:
    """The retention file plan (`retention.toml`)."""


@retention.command(name="check")
def retention_check() -> None:
    """Validate the file plan and print it: kind, classification, RSI, record date,
    trigger, retention per jurisdiction, vital flag. Exit 1 with the reason if it is invalid."""
    from pipeline.records.classify import default_plan

    try:
        plan = default_plan()
    except (RetentionPlanError, OSError) as exc:
        raise click.ClickException(f"retention plan: {exc}") from exc
    table = Table(title=f"file plan {plan.version} (category {plan.category!r})")
    for column in ("kind", "classification", "RSI", "record date", "trigger", "years", "vital"):
        table.add_column(column)
    for kind, rule in sorted(plan.classes.items()):
        years = ", ".join(f"{k} {v}" for k, v in sorted(rule.retention_years.items()))
        table.add_row(
            kind,
            rule.classification,
            rule.rsi,
            rule.record_date,
            rule.trigger_event,
            years,
            "yes" if rule.vital else "no",
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    _warn_about_sellers()


def _warn_about_sellers() -> None:
    """What the documents of the configured stores would lack about their seller."""
    from pipeline.flows.commerce.sellers import configuration_warnings
    from pipeline.runtime.settings import load_settings

    for warning in configuration_warnings(load_settings().store_tokens):
        click.echo(f"warning: {warning}", err=True)
