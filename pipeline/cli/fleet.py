"""`bcrm worker` and `bcrm beat`: one worker node, or the scheduler, on the configured Redis."""

from __future__ import annotations

import click

from pipeline.cli.options import OperatorError
from pipeline.core.stages import QUEUES, worker_queues
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


def _check_file_plan() -> None:
    """A file plan that does not load stops the node before it connects (the worker would
    otherwise start and fail each record at classify)."""
    from pipeline.runtime.checks import approvals_problem, campaigns_problem, file_plan_problem

    problem = file_plan_problem() or approvals_problem() or campaigns_problem()
    if problem is not None:
        raise OperatorError(problem)


@click.command()
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

    config = load_settings()
    _check_file_plan()
    groups = list(WORKER_GROUPS.values()) if group == "all" else [WORKER_GROUPS[group]]
    if queues:
        named = [q.strip() for q in queues.split(",") if q.strip()]
        unknown = [q for q in named if q not in QUEUES]
        if unknown or not named:
            raise OperatorError(
                f"-Q: unknown queue {', '.join(unknown) or '(none)'}; the queues are "
                f"{', '.join(QUEUES)}"
            )
        queues = ",".join(named)
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


@click.command()
@click.option("-l", "--loglevel", default="INFO", help="Celery log level.")
def beat(loglevel: str) -> None:
    """Run Celery beat on the configured Redis; a second one waits as a standby (lock)."""
    config = load_settings()
    _check_file_plan()
    config.data_path.mkdir(parents=True, exist_ok=True)
    with connected(config):
        from pipeline.celery import app

        schedule = str(config.data_path / "celerybeat-schedule")
        app.start(
            ["beat", "-l", loglevel, "-s", schedule, "-S", "pipeline.runtime.beat:LockedScheduler"]
        )
