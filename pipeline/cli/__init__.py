"""The `bcrm` command line.

Every command validates the settings first and turns the errors an operator can fix
(bad variable, no Redis, port in use) into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, ClassVar

import click
import redis

from pipeline.cli.bench import bench
from pipeline.cli.chaos import chaos
from pipeline.cli.demo import demo
from pipeline.cli.dlq import dlq
from pipeline.cli.index import index_group, record_group, records_group
from pipeline.cli.metrics import metrics
from pipeline.cli.ops import backfill, retention
from pipeline.cli.reconcile import fixity, flower, reconcile
from pipeline.cli.summaries import summaries
from pipeline.cli.webhooks import webhooks
from pipeline.core.stages import worker_queues
from pipeline.runtime import NoRedisError
from pipeline.runtime.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from pipeline.runtime.session import connected
from pipeline.runtime.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2
EXIT_FAILED = 1
OPERATOR_ERRORS = (SettingsError, NoRedisError, EmbeddedRedisError, redis.ConnectionError)


class _Bcrm(click.Group):
    """A group that reports operator errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OPERATOR_ERRORS as exc:
            click.echo(f"bcrm: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Bcrm, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """bcrm: BigCommerce commerce records into OpenText Extended ECM Records Management."""


def _settings() -> Settings:
    return load_settings()


# --- configuration and Redis ---------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def config(as_json: bool) -> None:
    """Print the effective configuration, secrets masked."""
    shown = _settings().masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    width = max(len(k) for k in shown)
    for name, value in shown.items():
        click.echo(f"{name:<{width}}  {'(unset)' if value is None else value}")


@main.group(name="redis")
def redis_group() -> None:
    """Manage the embedded Redis (used when BCRM_REDIS_URL is not set)."""


@redis_group.command(name="start")
def redis_start() -> None:
    """Start the embedded Redis in the background (or report the running one)."""
    embedded = EmbeddedRedis(_settings().data_path)
    if not embedded.find_running():
        embedded.start()
    click.echo(json.dumps({"url": embedded.url, "pid": embedded.pid}))


@redis_group.command(name="stop")
def redis_stop() -> None:
    """Stop the embedded Redis for this data dir, flushing its AOF."""
    embedded = EmbeddedRedis(_settings().data_path)
    if not embedded.find_running():
        click.echo("no embedded Redis running")
        return
    embedded.stop(force=True)
    click.echo(f"stopped {embedded.url}")


@redis_group.command(name="status")
def redis_status() -> None:
    """Say whether the embedded Redis runs, and where."""
    embedded = EmbeddedRedis(_settings().data_path)
    running = embedded.find_running()
    click.echo(json.dumps({"running": running, "url": embedded.url if running else None}))
    sys.exit(0 if running else EXIT_FAILED)


# --- fleet -----------------------------------------------------------------------------------


@main.command()
@click.option(
    "--group",
    type=click.Choice(["io", "cpu", "all"]),
    default="all",
    help=(
        f"Queue group: io = {','.join(worker_queues('io'))}; "
        f"cpu = {','.join(worker_queues('cpu'))}."
    ),
)
@click.option("-Q", "--queues", default=None, help="Explicit comma-separated queues.")
@click.option("-c", "--concurrency", type=int, default=None, help="Pool size.")
@click.option(
    "-P",
    "--pool",
    type=click.Choice(["prefork", "threads", "solo"]),
    default=None,
    help="Pool (default: threads for io, prefork for cpu and all).",
)
@click.option("-l", "--loglevel", default="INFO", help="Celery log level.")
@click.option("-n", "--hostname", default=None, help="Node name (default <group>@%h).")
def worker(
    group: str,
    queues: str | None,
    concurrency: int | None,
    pool: str | None,
    loglevel: str,
    hostname: str | None,
) -> None:
    """Run one worker node: `celery -A pipeline worker -Q <queues>` on the configured Redis."""
    from pipeline.runtime.fleet import WORKER_GROUPS

    config = _settings()
    groups = list(WORKER_GROUPS.values()) if group == "all" else [WORKER_GROUPS[group]]
    queues = queues or ",".join(q for g in groups for q in g.queues)
    pool = pool or (groups[0].pool if group != "all" else "prefork")
    concurrency = concurrency or (groups[0].concurrency if group != "all" else None)
    with connected(config):
        from pipeline.celery import app

        argv = [
            "worker",
            "-Q",
            queues,
            "-P",
            pool,
            "-l",
            loglevel,
            "-n",
            hostname or f"{group}@%h",
            "-c",
            str(concurrency or config.worker_concurrency),
        ]
        app.worker_main(argv)


@main.command()
@click.option("-l", "--loglevel", default="INFO", help="Celery log level.")
def beat(loglevel: str) -> None:
    """Run Celery beat on the configured Redis; a second one waits as a standby (lock)."""
    config = _settings()
    config.data_path.mkdir(parents=True, exist_ok=True)
    with connected(config):
        from pipeline.celery import app

        schedule = str(config.data_path / "celerybeat-schedule")
        app.start(
            ["beat", "-l", loglevel, "-s", schedule, "-S", "pipeline.runtime.beat:LockedScheduler"]
        )


# --- status and dead letters -----------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Queue depths, unacknowledged messages, ledger counts, dead letters and, per store,
    how far polling lags behind (seconds since each checkpoint) and how many polls ran;
    then what needs attention and the command that deals with it."""
    with connected(_settings()):
        from pipeline.ops.status import attention, collect_status

        # Sections are keyed by name, except `attention`, which is numbered.
        report: dict[str, dict[Any, Any]] = collect_status()
        report["attention"] = dict(enumerate(attention(report), start=1))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for section, values in report.items():
        click.echo(f"{section}:")
        for name, value in values.items():
            shown = (
                " ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
            )
            click.echo(f"  {name:<16} {shown}")


main.add_command(dlq)
main.add_command(demo)
main.add_command(webhooks)
main.add_command(summaries)
main.add_command(retention)
main.add_command(backfill)
main.add_command(bench)
main.add_command(reconcile)
main.add_command(fixity)
main.add_command(flower)
main.add_command(metrics)
main.add_command(chaos)
main.add_command(index_group)
main.add_command(record_group)
main.add_command(records_group)


class _Sandbox(click.Group):
    """Each emulator owns its command; import it only when asked (aiohttp is slow to load)."""

    modules: ClassVar[dict[str, str]] = {
        "bigcommerce": "sandbox.bigcommerce.cli",
        "otcs": "sandbox.otcs.cli",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.modules)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.modules:
            return None
        command: click.Command = importlib.import_module(self.modules[name]).command
        return command


@main.group(cls=_Sandbox)
def sandbox() -> None:
    """Run the local emulators (BigCommerce, OTCS) as real HTTP servers."""


if __name__ == "__main__":
    main()
