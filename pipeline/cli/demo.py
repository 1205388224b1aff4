"""`bcrm demo`: the whole pipeline on the embedded default, checked record by record."""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.cli.progress import PhaseBars, progress_bar
from pipeline.devtools.demo_summary import DemoSummary, summary_lines
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings, mask_url

if TYPE_CHECKING:
    from pipeline.devtools.demo_sandbox import Sandbox

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
@click.option(
    "--keep",
    is_flag=True,
    help="Afterwards leave the emulators and the pipeline running, print where they are "
    "and how to fetch a record's PDF, and stop everything on Ctrl-C.",
)
def demo(
    orders: int,
    no_live: bool,
    report: Path | None,
    timeout: float,
    no_progress: bool,
    keep: bool,
) -> None:
    """Archive a seeded BigCommerce store into the ECM emulator and check every record.

    Starts Redis (embedded unless BCRM_REDIS_URL is set), both emulators, the worker
    fleet and beat; beat's pollers find the store's orders and the fleet fetches,
    renders, classifies and declares them. Then it places orders, ships and refunds in
    the emulator and waits for those too. Exit 0 only if every due document is in the
    ECM exactly once with the hash the ledger recorded. Every process it started is
    stopped at the end, also on Ctrl-C; with --keep, only on Ctrl-C (or SIGTERM).
    """
    config = load_settings()
    signal.signal(signal.SIGTERM, _interrupt)
    log_dir = config.data_path / "logs"
    run = DemoRun(config.data_path, orders, not no_live, timeout, not no_progress, report, keep)
    try:
        with connected(config) as url:
            click.echo(f"Redis at {mask_url(url)}; logs in {log_dir}", err=True)
            summary = _commerce(url, log_dir, run)
    except KeyboardInterrupt:
        click.echo("bcrm: interrupted; every process the demo started was stopped", err=True)
        sys.exit(130)
    if not summary.ok:
        problems = summary.problems
        first = problems[0] if problems else "not everything was declared"
        click.echo(f"bcrm: demo failed: {len(problems)} problem(s); first: {first}", err=True)
        sys.exit(1)


@dataclass(frozen=True)
class DemoRun:
    """What the command line asked for."""

    data_dir: Path
    orders: int
    live: bool
    timeout: float
    progress: bool
    report: Path | None
    keep: bool


def _commerce(url: str, log_dir: Path, run: DemoRun) -> DemoSummary:
    from pipeline.devtools.demo import run_demo
    from pipeline.devtools.demo_sandbox import PipelineProcesses, sandbox

    with sandbox(log_dir, run.orders, DEMO_QUOTA, DEMO_WINDOW_MS) as world:
        processes = PipelineProcesses.for_sandbox(world, url, log_dir, {})
        try:
            with progress_bar(run.progress) as progress:
                summary = run_demo(world, run.timeout, run.live, processes, PhaseBars(progress))
            _print(summary)
            if run.report is not None:
                run.report.parent.mkdir(parents=True, exist_ok=True)
                run.report.write_text(json.dumps(summary.to_json(), indent=2) + "\n")
            if run.keep:
                _keep(world, processes.webhook_url, url, run.data_dir)
            return summary
        finally:
            processes.stop()


def _keep(world: Sandbox, webhook_url: str, redis_url: str, data_dir: Path) -> None:
    """Say where everything is, then wait for Ctrl-C; the callers stop it all after."""
    from pipeline.devtools.demo_keep import endpoints, pdf_command, sample_record, wait_for_stop
    from pipeline.runtime import services

    click.echo("\nStill running (Ctrl-C or SIGTERM stops everything):")
    for point in endpoints(world, webhook_url, mask_url(redis_url)):
        click.echo(
            f"  {point.name:<31} {point.url}" + (f"  ({point.access})" if point.access else "")
        )
    found = sample_record(services.archive_index(), world.store_hash)
    if found is None:
        click.echo("No record was declared, so there is no PDF to fetch.")
    else:
        order_id, kind = found
        click.echo(f"Fetch the {kind.replace('_', ' ')} of order {order_id} from the ECM:")
        click.echo(f"  {pdf_command(world, data_dir, order_id, kind)}")
    wait_for_stop()
    click.echo("Stopping every process the demo started", err=True)


def _print(summary: DemoSummary) -> None:
    table = Table(title=f"bcrm demo: store {summary.store_hash}", show_header=False)
    for line in summary_lines(summary):
        # Problems quote file names and error messages: never read them as markup.
        value = Text(line.value, style="" if line.label != "Result" else _verdict(summary))
        table.add_row(Text(line.label), value, Text(line.meaning, style="dim"))
    Console().print(table)


def _verdict(summary: DemoSummary) -> str:
    return "green" if summary.ok else "red"
