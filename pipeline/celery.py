"""The Celery app (`celery -A pipeline worker` finds it here)."""

import sys
from typing import Any

from celery import Celery, signals

from pipeline.runtime import settings
from pipeline.runtime.log import configure_logging

STAGE_MODULES = [
    "tasks.fetch",
    "tasks.publish",
    "tasks.render",
    "tasks.classify",
    "tasks.declare",
    "tasks.control",
]

app = Celery("bcrm", include=STAGE_MODULES)
app.config_from_object("celeryconfig")


@signals.worker_process_init.connect
@signals.worker_init.connect
@signals.beat_init.connect
def _configure_bcrm_logging(**_: Any) -> None:
    configure_logging(settings().log_level)


@signals.worker_init.connect
@signals.beat_init.connect
def _check_what_the_fleet_needs(**_: Any) -> None:
    """A bad file plan, a broken sellers.toml or approvals.toml, or an archive index that
    cannot be migrated stops a node as it starts, naming the problem, instead of failing
    the first record that needs them."""
    from pipeline.index.database import open_database
    from pipeline.runtime.checks import (
        approvals_problem,
        campaigns_problem,
        file_plan_problem,
        sellers_problem,
    )

    problem = file_plan_problem() or sellers_problem() or approvals_problem() or campaigns_problem()
    if problem is not None:
        # Celery logs and ignores what a signal handler raises, so a worker would start
        # and fail every record at classify or fetch: stop the node here, in one line.
        print(f"bcrm: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(2)
    open_database(settings()).dispose()  # brings the schema to head; children open their own
