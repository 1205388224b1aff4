"""Reports of the nightly audits (reconciliation, fixity) kept in Redis for operators:
the latest per store, and a short history to see when a problem started."""

from __future__ import annotations

import json
from typing import Any

import redis

HISTORY_KEPT = 30


def keep(client: redis.Redis, latest_key: str, history_key: str, report: dict[str, Any]) -> None:
    """Store `report` as the latest and push it on the capped history, in one round trip."""
    data = json.dumps(report, sort_keys=True)
    pipe = client.pipeline()
    pipe.set(latest_key, data)
    pipe.lpush(history_key, data)
    pipe.ltrim(history_key, 0, HISTORY_KEPT - 1)
    pipe.execute()


def latest(client: redis.Redis, latest_key: str) -> dict[str, Any] | None:
    raw = client.get(latest_key)
    return None if raw is None else dict(json.loads(raw))
