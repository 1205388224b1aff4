"""`bcrm reconcile`: does the ECM hold what the sources say a store owes?"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console

from pipeline.cli.exits import EXIT_FAILED
from pipeline.cli.options import configured_stores, parse_window
from pipeline.cli.progress import count_bar, progress_bar
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


def _print_findings(title: str, findings: list[dict[str, Any]]) -> None:
    click.echo(f"  {title}: {len(findings)}")
    for finding in findings:
        click.echo(f"    {finding['subject']}  {finding['path']}  ({finding['detail']})")


def _print_reconcile(report: dict[str, Any]) -> None:
    click.echo(
        f"{report['store_hash']}  {report['since']} .. {report['until']}: "
        f"{report['subjects']} subjects changed, {report['due_documents']} due documents, "
        f"{report['verified']} present with the ledger's hash"
    )
    for title in ("missing", "hash_mismatch", "ledger_disagrees", "extra", "unreadable"):
        _print_findings(title.replace("_", " "), report[title])
    click.echo(f"  earlier versions (legitimate): {len(report['earlier_versions'])}")
    if report["repaired_subjects"]:
        subjects = ", ".join(report["repaired_subjects"])
        click.echo(f"  repair: re-enqueued {subjects}")
    click.echo(f"  {'OK' if report['ok'] else 'PROBLEMS'}")


@click.command()
@click.option(
    "--store", "store_hash", default=None, help="Store hash (default: every configured store)."
)
@click.option("--since", required=True, help="Orders changed from (ISO 8601; naive = UTC).")
@click.option("--until", default=None, help="Orders changed until (default: now).")
@click.option("--repair", is_flag=True, help="Re-enqueue the orders whose records are missing.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def reconcile(
    store_hash: str | None, since: str, until: str | None, repair: bool, as_json: bool
) -> None:
    """Compare BigCommerce (orders, refunds, shipments changed in the window) with the
    ledger and the ECM: missing records, hash mismatches, ledger/ECM disagreements, extra
    documents and earlier versions. The report is kept in Redis. Exit 1 if anything is
    missing (and not repaired), mismatched or disagreeing."""
    config = load_settings()
    stores = configured_stores(config, store_hash)
    window = parse_window(since, until)
    with connected(config):
        from pipeline.ops import reconcile as reconciliation
        from pipeline.runtime import clients, redis_client, services

        results = []
        with progress_bar(console=Console(stderr=True)) as progress:
            for store in stores:
                bar = progress.add_task(f"reconcile {store}", total=None, detail="")
                report = reconciliation.reconcile(
                    clients.otcs(),
                    services.ledger(),
                    store,
                    *window,
                    on_progress=count_bar(progress, bar),
                )
                if repair and report.missing:
                    reconciliation.repair(report)
                reconciliation.keep_report(redis_client(), report)
                results.append(report.to_json())
    if as_json:
        click.echo(json.dumps(results if store_hash is None else results[0], indent=2))
    else:
        for result in results:
            _print_reconcile(result)
    sys.exit(0 if all(r["ok"] for r in results) else EXIT_FAILED)
