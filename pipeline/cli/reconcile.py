"""Operator commands for issue 6's checks: `bcrm reconcile`, `bcrm fixity audit`, and
`bcrm flower` (the monitoring UI, never unauthenticated by accident)."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any, NoReturn

import click
from rich.console import Console

from pipeline.cli.ops import configured_stores, parse_moment
from pipeline.cli.progress import count_bar, progress_bar
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings

EXIT_FAILED = 1
EXIT_USAGE = 2


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
    window = (parse_moment(since), parse_moment(until) if until else datetime.now(UTC))
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


@click.group()
def fixity() -> None:
    """Fixity of declared records: the ECM's SHA-256 against the ledger's."""


@fixity.command(name="audit")
@click.option(
    "--store", "store_hash", default=None, help="Store hash (default: every configured store)."
)
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=None,
    help="Records per store, at random (default BCRM_FIXITY_SAMPLE; 0 = all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def fixity_audit(store_hash: str | None, sample: int | None, as_json: bool) -> None:
    """Re-hash declared records in the ECM and compare with the ledger; keep the report in
    Redis. Exit 1 if any record differs or is gone."""
    config = load_settings()
    stores = configured_stores(config, store_hash)
    size = config.fixity_sample if sample is None else sample
    with connected(config):
        from pipeline.records import fixity as fixity_checks
        from pipeline.runtime import clients, redis_client, services

        results = []
        for store in stores:
            report = fixity_checks.audit(clients.otcs(), services.ledger(), store, size)
            fixity_checks.keep_report(redis_client(), report)
            results.append(report.to_json())
    if as_json:
        click.echo(json.dumps(results if store_hash is None else results[0], indent=2))
    else:
        for result in results:
            _print_fixity(result)
    sys.exit(0 if all(r["ok"] for r in results) else EXIT_FAILED)


def _print_fixity(result: dict[str, Any]) -> None:
    click.echo(
        f"{result['store_hash']}: {result['checked']} of {result['declared']} declared "
        f"records checked, {len(result['mismatches'])} differ, {len(result['missing'])} gone"
    )
    for row in result["mismatches"]:
        click.echo(f"  differs  {row['record_key']}  node {row['target_id']}")
    for row in result["missing"]:
        click.echo(f"  gone     {row['record_key']}  node {row['target_id']}")


def is_loopback(address: str) -> bool:
    """Whether only this host can reach `address`; our servers bind elsewhere only when
    told to explicitly (Flower, `bcrm metrics serve`)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _refuse(message: str) -> NoReturn:
    click.echo(f"bcrm flower: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.command()
@click.option("--port", type=int, default=5555, show_default=True, help="HTTP port.")
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--insecure-loopback",
    is_flag=True,
    help="Run without authentication; only allowed on a loopback address.",
)
def flower(port: int, address: str, insecure_loopback: bool) -> None:
    """Run Flower (`celery -A pipeline flower`) on the configured Redis, with basic auth
    from BCRM_FLOWER_BASIC_AUTH. Without credentials it refuses to start, unless
    --insecure-loopback is given and the address is a loopback one."""
    config = load_settings()
    credentials = config.flower_basic_auth
    if credentials is None and not (insecure_loopback and is_loopback(address)):
        _refuse(
            "BCRM_FLOWER_BASIC_AUTH is not set (user:password); "
            "--insecure-loopback runs without it on a loopback address only"
        )
    if credentials is not None and not all(credentials.partition(":")[::2]):
        _refuse("BCRM_FLOWER_BASIC_AUTH must be user:password")
    if importlib.util.find_spec("flower") is None:
        _refuse("Flower is not installed: pip install 'bcrm[ops]'")
    # Flower reads FLOWER_* variables; the environment keeps the password off `ps`.
    os.environ.pop("FLOWER_BASIC_AUTH", None)
    if credentials is not None:
        os.environ["FLOWER_BASIC_AUTH"] = credentials
    with connected(config):
        from pipeline.celery import app

        app.start(["flower", f"--port={port}", f"--address={address}"])
