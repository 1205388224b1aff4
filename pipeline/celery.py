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
