"""What `bcrm status` shows an operator: is work flowing, and where is it stuck?"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.core import registry
from pipeline.core.queues import queue_depths
from pipeline.core.redrive import oldest_stalled_age
from pipeline.ops import reports
from pipeline.runtime import redis_client, services, settings


def checkpoint_lags(client: redis.Redis, store_hash: str, now: datetime) -> dict[str, float | None]:
    """Per polled stream of every flow, how far behind it is: seconds since its last
    successful poll (None: none recorded yet). A store with no new orders is not behind."""
    lags: dict[str, float | None] = {}
    for flow in registry.flows().values():
        lags.update(flow.stream_lags(client, store_hash, now))
    return lags


def polls_completed(client: redis.Redis, store_hash: str) -> dict[str, int]:
    """Per polled stream of every flow, how many polls completed."""
    runs: dict[str, int] = {}
    for flow in registry.flows().values():
        runs.update(flow.polls_completed(client, store_hash))
    return runs


def _store_lag(store_hash: str) -> dict[str, Any]:
    """How far behind polling is (seconds since each stream's last successful poll), how
    the last nightly reconciliation and fixity audit ended, and what the flows found that
    needs a person (`Flow.needs_attention`)."""
    report: dict[str, Any] = {}
    lags = checkpoint_lags(redis_client(), store_hash, datetime.now(UTC))
    runs = polls_completed(redis_client(), store_hash)
    for stream, lag in lags.items():
        report[f"{stream}_lag_s"] = None if lag is None else round(lag)
        report[f"{stream}_polls"] = runs.get(stream, 0)
    for audit in ("reconcile", "fixity"):
        last = reports.latest(redis_client(), audit, store_hash)
        outcome = "never" if last is None else "ok" if last["ok"] else "FAILED"
        report[f"last_{audit}"] = outcome if last is None else f"{outcome} {last['started_at']}"
    report["flow_findings"] = [
        finding
        for flow in registry.flows().values()
        for finding in flow.needs_attention(redis_client(), store_hash)
    ]
    return report


def attention(report: dict[str, dict[str, Any]]) -> list[str]:
    """What an operator should act on, and how, read off a `collect_status` report."""
    found = []
    stalled_s = report["owed"]["oldest_with_nothing_in_flight_s"]
    if stalled_s is not None and stalled_s > 2 * settings().visibility_timeout:
        found.append(
            f"work owed since {ago(stalled_s)} has nothing queued or in flight: its message "
            "was lost (a worker or Redis died as it handed one over); beat's re-drive job "
            "resends it within minutes: is `bcrm beat` running?"
        )
    if report["dead_letters"]["dead"]:
        found.append(
            f"{report['dead_letters']['dead']} dead letter(s) waiting: `bcrm dlq list`, "
            "then `bcrm dlq replay` once the cause is fixed"
        )
    intervals: dict[str, float] = {}
    for flow in registry.flows().values():
        intervals.update(flow.stream_intervals(settings()))
    for store, lags in report["stores"].items():
        for name, lag in lags.items():
            if not name.endswith("_lag_s"):
                continue
            stream = name.removesuffix("_lag_s")
            interval = intervals.get(stream, settings().poll_interval_s)
            if lag is None or lag > 3 * interval:
                behind = (
                    "no successful poll yet"
                    if lag is None
                    else f"last successful poll {ago(lag)} (it should run every {interval:g} s)"
                )
                found.append(
                    f"{store} {stream}: {behind}; is `bcrm beat` running with a worker on the "
                    "control queue, and does the store answer? (`bcrm dlq list --stage control`)"
                )
        for audit in ("reconcile", "fixity"):
            if lags[f"last_{audit}"].startswith("FAILED"):
                found.append(f"{store}: last {audit} failed; `bcrm status --json` has its time")
        found.extend(f"{store}: {finding}" for finding in lags.get("flow_findings", ()))
    return found


def ago(seconds: float) -> str:
    """A duration as a person says it: 45 s, 12 min, 3 h, 2 days ago."""
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86_400:.0f} days ago"


def collect_status() -> dict[str, dict[str, Any]]:
    dead_letters = services.dead_letters()
    ledger = services.ledger()
    client = redis_client()
    return {
        "queues": queue_depths(client),
        "owed": {
            "units": ledger.owed_count(),
            "oldest_with_nothing_in_flight_s": oldest_stalled_age(ledger, client, time.time()),
        },
        "ledger": ledger.counts(),
        "flows": ledger.counts_by_flow(ledger_flows()),
        "archive": archived_per_flow(),
        "dead_letters": {
            "dead": dead_letters.count("dead"),
            "replayed": dead_letters.count("replayed"),
        },
        "stores": {store: _store_lag(store) for store in sorted(settings().store_tokens)},
    }


def ledger_flows() -> list[str]:
    """Every flow records may be filed under: the flows this deployment runs."""
    return list(settings().flow_names)


def archived_per_flow() -> dict[str, int]:
    """Declared records per flow, from the archive index: it keeps them after the ledger
    lets them go (`BCRM_LEDGER_RETAIN_DAYS`)."""
    totals: dict[str, int] = dict.fromkeys(registry.flows(), 0)
    for row in services.archive_index().counts():
        totals[row["flow"]] = totals.get(row["flow"], 0) + int(row["records"])
    return totals
