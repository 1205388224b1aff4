"""`bcrm demo`: the whole pipeline on the embedded default, checked record by record."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings, mask_url

# The demo compresses the store's rate-limit window (150 requests per second instead of
# per 30 s) so a few hundred orders archive in about a minute under the same governor.
DEMO_QUOTA = 150
DEMO_WINDOW_MS = 1000


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option("--orders", default=300, show_default=True, help="Orders the emulated store holds.")
@click.option("--no-live", is_flag=True, help="Skip the live changes (new orders, ship, refund).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the summary as JSON to this path.",
)
@click.option("--timeout", default=900.0, show_default=True, help="Seconds to wait in all.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and CI).")
def demo(
    orders: int,
    no_live: bool,
    report: Path | None,
    timeout: float,
    no_progress: bool,
) -> None:
    """Archive a seeded BigCommerce store into the ECM emulator and check every record.

    Starts Redis (embedded unless BCRM_REDIS_URL is set), both emulators, the worker
    fleet and beat; beat's pollers find the store's orders and the fleet fetches,
    renders, classifies and declares them. Then it places orders, ships and refunds in
    the emulator and waits for those too. Exit 0 only if every due document is in the
    ECM exactly once with the hash the ledger recorded. Every process it started is
    stopped at the end, also on Ctrl-C.
    """
    config = load_settings()
    signal.signal(signal.SIGTERM, _interrupt)
    log_dir = config.data_path / "logs"
    try:
        with connected(config) as url:
            click.echo(f"Redis at {mask_url(url)}; logs in {log_dir}", err=True)
            summary = _commerce(url, log_dir, orders, not no_live, timeout, no_progress)
    except KeyboardInterrupt:
        click.echo("bcrm: interrupted; every process the demo started was stopped", err=True)
        sys.exit(130)
    _print(summary)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=2) + "\n")
    if not summary["ok"]:
        problems = summary["problems"]
        first = problems[0] if problems else "not everything was declared"
        click.echo(f"bcrm: demo failed: {len(problems)} problem(s); first: {first}", err=True)
        sys.exit(1)


def _commerce(
    url: str, log_dir: Path, orders: int, live: bool, timeout: float, no_progress: bool
) -> dict[str, Any]:
    from pipeline.devtools.demo import run_demo
    from pipeline.devtools.demo_sandbox import PipelineProcesses, sandbox

    with sandbox(log_dir, orders, DEMO_QUOTA, DEMO_WINDOW_MS) as world:
        processes = PipelineProcesses.for_sandbox(world, url, log_dir, {})
        try:
            return run_demo(
                world, timeout, live, processes.start, show_progress=not no_progress
            ).to_json()
        finally:
            processes.stop()


def _print(summary: dict[str, Any]) -> None:
    table = Table(title="bcrm demo", show_header=False)
    for name, value in summary.items():
        if name in ("problems", "ok"):
            continue
        if isinstance(value, dict):
            table.add_row(name.replace("_", " "), "")
            for key, count in value.items():
                table.add_row(f"  {key}", str(count))
        elif isinstance(value, list):
            table.add_row(name.replace("_", " "), "\n".join(map(str, value)) or "-")
        else:
            table.add_row(name.replace("_", " "), str(value))
    table.add_row("result", "[green]ok" if summary["ok"] else "[red]FAILED")
    Console().print(table)
