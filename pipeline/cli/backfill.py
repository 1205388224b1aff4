"""`bcrm backfill`: every order modified in a window, enqueued as the poller would."""

from __future__ import annotations

import time

import click

from pipeline.cli.options import configured_stores, parse_window
from pipeline.cli.progress import count_bar, progress_bar
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


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
    window = parse_window(since, until)
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
