"""The Celery app (`celery -A pipeline worker` finds it here)."""

from typing import Any

from celery import Celery, signals

from pipeline.runtime import settings
from pipeline.runtime.log import configure_logging

STAGE_MODULES = [
    "tasks.fetch",
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
    """A bad file plan, a broken sellers.toml or an archive index that cannot be migrated
    stops a node as it starts, naming the problem, instead of failing the first record
    that needs them."""
    from pipeline.flows.commerce.sellers import configured_sellers
    from pipeline.index.database import open_database
    from pipeline.records.classify import default_plan

    default_plan()
    configured_sellers()  # a broken sellers.toml stops the node here, naming the problem
    open_database(settings()).dispose()  # brings the schema to head; children open their own
