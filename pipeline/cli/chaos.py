"""`bcrm chaos`: run chaos scenarios on throwaway worlds and print their verdicts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pipeline.cli.exits import EXIT_FAILED, EXIT_USAGE
from pipeline.runtime.settings import load_settings

COLUMNS = (
    ("scenario", "scenario"),
    ("orders", "orders"),
    ("due_documents", "due"),
    ("lost", "lost"),
    ("duplicates", "duplicates"),
    ("hash_mismatch", "hash mismatch"),
    ("dead_lettered", "dead-lettered"),
    ("dead_letters_replayed", "replayed"),
    ("redriven", "re-driven"),
    ("repaired_by_reconcile", "repaired"),
    ("retries", "retries"),
    ("repeated_runs_absorbed", "repeated runs"),
    ("elapsed_s", "s"),
)


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _table(reports: list[dict[str, Any]]) -> Table:
    table = Table(title="bcrm chaos")
    for _, title in COLUMNS:
        table.add_column(title)
    table.add_column("result")
    for report in reports:
        cells = [str(report[key]) for key, _ in COLUMNS]
        table.add_row(*cells, "[green]ok" if report["ok"] else "[red]FAILED")
    return table


def _run_one(
    name: str, long: bool, orders: int | None, seed: int, timeout: float, no_progress: bool
) -> dict[str, Any]:
    from pipeline.cli.progress import progress_bar
    from pipeline.devtools.chaos.runner import run_scenario
    from pipeline.devtools.chaos.scenarios import SCENARIOS

    run_dir = load_settings().data_path / "chaos" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    click.echo(f"chaos {name}: logs and data in {run_dir}", err=True)
    with progress_bar(not no_progress) as progress:
        report = run_scenario(
            SCENARIOS[name], long, run_dir, seed, timeout, progress, orders=orders
        )
    return report.to_json()


def _run_each(names: list[str], argv_tail: list[str]) -> list[dict[str, Any]]:
    """One child `bcrm chaos <name>` per scenario: each needs its own Redis, and Celery
    binds a process to one broker."""
    reports = []
    for name in names:
        out = Path(load_settings().data_path) / "chaos" / f"{name}-report.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "pipeline.cli", "chaos", name, "--report", str(out)]
        subprocess.run([*argv, *argv_tail], check=False)
        if not out.exists():
            reports.append({**{key: "-" for key, _ in COLUMNS}, "scenario": name, "ok": False})
            continue
        reports.append(json.loads(out.read_text()))
    return reports


@click.command()
@click.argument("scenario", required=False)
@click.option("--list", "list_them", is_flag=True, help="List the scenarios and exit.")
@click.option("--long", is_flag=True, help="The long form (2,000 orders where it applies).")
@click.option("--orders", type=int, default=None, help="Orders in the store (overrides the form).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed for every random draw.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds per scenario.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the verdict(s) as JSON to this path.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and CI).")
def chaos(
    scenario: str | None,
    list_them: bool,
    long: bool,
    orders: int | None,
    seed: int,
    timeout: float,
    report: Path | None,
    no_progress: bool,
) -> None:
    """Break things on purpose while a store is archived (SCENARIO, or `all`), then check
    that every due record is in the ECM exactly once with the ledger's hash.

    Each scenario runs on its own embedded Redis, emulators and worker fleet under
    <data dir>/chaos/, all stopped at the end. Exit 0 only if every scenario ends with
    0 lost, 0 duplicate and 0 hash-mismatched records and no problem of its own.
    """
    # Loaded here, not with the CLI: the scenarios bring their own tools (PDF reading, HTTP
    # servers) that no other command should pay for at start-up.
    from pipeline.devtools.chaos.scenarios import SCENARIOS

    if list_them or scenario is None:
        for name, spec in SCENARIOS.items():
            click.echo(
                f"{name:<12} {spec.short_orders:>5} / {spec.long_orders:>5} orders  {spec.injected}"
            )
        if scenario is None and not list_them:
            sys.exit(EXIT_USAGE)
        return
    if scenario != "all" and scenario not in SCENARIOS:
        raise click.UsageError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}, all")
    if os.environ.get("BCRM_REDIS_URL"):
        raise click.UsageError(
            "bcrm chaos starts (and kills) its own embedded Redis; unset BCRM_REDIS_URL"
        )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if scenario == "all":
            tail = [*(["--long"] if long else []), "--seed", str(seed), "--timeout", str(timeout)]
            tail += [*(["--orders", str(orders)] if orders else []), "--no-progress"]
            reports = _run_each(list(SCENARIOS), tail)
        else:
            reports = [_run_one(scenario, long, orders, seed, timeout, no_progress)]
    except KeyboardInterrupt:
        click.echo("bcrm: interrupted; every process chaos started was stopped", err=True)
        sys.exit(130)
    # Wide enough for every column in CI logs too (rich assumes 80 off a terminal).
    console = Console()
    Console(width=max(console.width, 150)).print(_table(reports))
    for failed in (r for r in reports if not r["ok"]):
        first = (failed.get("problems") or ["did not finish; see its log"])[0]
        click.echo(f"bcrm: chaos {failed['scenario']} failed: {first}", err=True)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        body = reports[0] if scenario != "all" else reports
        report.write_text(json.dumps(body, indent=2) + "\n")
    if not all(r["ok"] for r in reports):
        sys.exit(EXIT_FAILED)
