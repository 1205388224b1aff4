"""Operator commands over the file plan and the stores: `bcrm retention check`,
`bcrm backfill`."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.table import Table

from pipeline.cli.progress import count_bar, progress_bar
from pipeline.runtime.session import connected
from pipeline.runtime.settings import Settings, load_settings
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


def parse_moment(text: str) -> datetime:
    """An ISO date or datetime; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def configured_stores(config: Settings, store_hash: str | None) -> list[str]:
    """The one store asked for, else every configured one; refuse a store we hold no
    credentials for."""
    stores = [store_hash] if store_hash else sorted(config.store_tokens)
    if not stores:
        raise click.ClickException("no stores configured: set BCRM_BIGCOMMERCE_STORES")
    unknown = [s for s in stores if s not in config.store_tokens]
    if unknown:
        raise click.ClickException(f"store {unknown[0]} is not in BCRM_BIGCOMMERCE_STORES")
    return stores


@click.command()
@click.option(
    "--store", "store_hash", default=None, help="Store hash (default: every configured store)."
)
@click.option("--since", required=True, help="Orders modified from (ISO 8601; naive = UTC).")
@click.option("--until", default=None, help="Orders modified until (default: now).")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Follow the fetches until every order was snapshotted.",
)
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to follow.")
def backfill(
    store_hash: str | None, since: str, until: str | None, wait: bool, timeout: float
) -> None:
    """Enqueue every order modified in a window, as the poller would, with a progress bar.

    Idempotent: an order version already archived is fetched again and found declared.
    """
    config = load_settings()
    stores = configured_stores(config, store_hash)
    window = (parse_moment(since), parse_moment(until) if until else datetime.now(UTC))
    with connected(config):
        from pipeline.ops.backfill import enqueue_window, settled_fetches
        from pipeline.runtime.clients import bigcommerce

        with progress_bar() as progress:
            record_prefixes = []
            for store in stores:
                bar = progress.add_task(f"enqueue {store}", total=None, detail="")
                run = enqueue_window(
                    bigcommerce(store),
                    store,
                    *window,
                    on_progress=count_bar(progress, bar),
                )
                record_prefixes.append((store, run))
            if wait:
                for store, run in record_prefixes:
                    bar = progress.add_task(f"fetch {store}", total=len(run), detail="")
                    deadline = time.monotonic() + timeout
                    while (done := settled_fetches(run)) < len(run):
                        progress.update(bar, completed=done)
                        if time.monotonic() > deadline:
                            raise click.ClickException(f"{store}: fetches still open at timeout")
                        time.sleep(0.5)
                    progress.update(bar, completed=done)
