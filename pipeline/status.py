"""What `bcrm status` shows an operator: is work flowing, and where is it stuck?"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis

from pipeline import keys, reports, services
from pipeline.pollers import POLLERS, Checkpoints, poll_runs_key
from pipeline.queues import queue_depths
from pipeline.runtime import redis_client, settings


def checkpoint_lags(client: redis.Redis, store_hash: str, now: datetime) -> dict[str, float | None]:
    """Per poller, how far behind it is: seconds since its checkpoint (None: never ran)."""
    checkpoints = Checkpoints(client)
    return {resource: checkpoints.lag_s(store_hash, resource, now) for resource in POLLERS}


def _store_lag(store_hash: str) -> dict[str, Any]:
    """How far behind polling is (seconds since each checkpoint), and how the last nightly
    reconciliation and fixity audit ended."""
    report: dict[str, Any] = {}
    lags = checkpoint_lags(redis_client(), store_hash, datetime.now(UTC))
    for resource, lag in lags.items():
        report[f"{resource}_lag_s"] = None if lag is None else round(lag)
        report[f"{resource}_polls"] = int(
            redis_client().get(poll_runs_key(store_hash, resource)) or 0
        )
    for audit, key in (("reconcile", keys.reconcile_latest), ("fixity", keys.fixity_latest)):
        last = reports.latest(redis_client(), key(store_hash))
        outcome = "never" if last is None else "ok" if last["ok"] else "FAILED"
        report[f"last_{audit}"] = outcome if last is None else f"{outcome} {last['started_at']}"
    return report


def collect_status() -> dict[str, dict[str, Any]]:
    dead_letters = services.dead_letters()
    return {
        "queues": queue_depths(redis_client()),
        "ledger": services.ledger().counts(),
        "dead_letters": {
            "dead": dead_letters.count("dead"),
            "replayed": dead_letters.count("replayed"),
        },
        "stores": {store: _store_lag(store) for store in sorted(settings().store_tokens)},
    }
