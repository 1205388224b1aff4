"""`bcrm summaries`: run the monthly tax summary job for a store and month by hand
(a backfill, or a month beat missed); the workers do the work, as for beat's run."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from pipeline.cli.options import unknown_store
from pipeline.flows.fulfilment.tax_summaries import month_bounds
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings

SUMMARY_JOB_TASK = "bcrm.control.tax_summaries"


def _month(text: str) -> tuple[int, int]:
    """A month that is over: a summary of part of a month would be declared as an official
    record, then superseded when the month ends."""
    try:
        moment = datetime.strptime(text, "%Y-%m")
    except ValueError as exc:
        message = f"{text!r} is not a month like 2024-03"
        raise click.BadParameter(message, param_hint="--month") from exc
    if month_bounds(moment.year, moment.month)[1] >= datetime.now(UTC):
        raise click.BadParameter(f"{text} is not over yet", param_hint="--month")
    return moment.year, moment.month


@click.group()
def summaries() -> None:
    """Monthly tax summaries per currency and country, declared as records."""


@summaries.command(name="run")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--month", required=True, help="Calendar month, YYYY-MM (UTC).")
def summaries_run(store_hash: str, month: str) -> None:
    """Enqueue the tax summary job for one store and month; re-running it adds nothing
    unless the month's numbers changed."""
    year, month_number = _month(month)
    config = load_settings()
    if store_hash not in config.store_tokens:
        raise unknown_store(store_hash)
    with connected(config):
        from pipeline.celery import app

        result = app.send_task(
            SUMMARY_JOB_TASK,
            args=[store_hash, year, month_number],
            queue="control",
            routing_key="control",
        )
    click.echo(f"enqueued tax summaries of {store_hash} for {month}: task {result.id}")
