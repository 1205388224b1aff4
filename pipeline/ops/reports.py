"""Reports of the nightly audits (reconciliation, fixity) kept in Redis for operators:
the latest per store, and a short history to see when a problem started."""

from __future__ import annotations

import json
from typing import Any

import redis

from pipeline.core import keys

HISTORY_KEPT = 30


def keep(client: redis.Redis, audit: str, store_hash: str, report: dict[str, Any]) -> None:
    """Store one audit's `report` of a store as the latest and push it on the capped
    history, in one round trip."""
    data = json.dumps(report, sort_keys=True)
    history = keys.report_history(audit, store_hash)
    pipe = client.pipeline()
    pipe.set(keys.report_latest(audit, store_hash), data)
    pipe.lpush(history, data)
    pipe.ltrim(history, 0, HISTORY_KEPT - 1)
    pipe.execute()


def latest(client: redis.Redis, audit: str, store_hash: str) -> dict[str, Any] | None:
    raw = client.get(keys.report_latest(audit, store_hash))
    return None if raw is None else dict(json.loads(raw))
