"""`bcrm fixity audit`: the ECM's SHA-256 of declared records against the archive index's."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from pipeline.cli.exits import EXIT_FAILED
from pipeline.cli.options import configured_stores
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


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
            report = fixity_checks.audit(clients.otcs(), services.archive_index(), store, size)
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
