"""Structured logs: one JSON line per event, so operators can grep and ship them.

Callers pass ids, counts and names only; never tokens, tickets or customer data.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_logger = logging.getLogger("bcrm")


def configure_logging(level: str = "INFO") -> None:
    """Send bcrm events to stderr; Celery configures its own loggers separately."""
    if not _logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
        _logger.propagate = False
    _logger.setLevel(level)


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Emit one event line: {"ts": ..., "event": ..., **fields}."""
    if _logger.isEnabledFor(level):
        line = {"ts": round(time.time(), 3), "event": event, **fields}
        _logger.log(level, json.dumps(line, default=str, sort_keys=False))
