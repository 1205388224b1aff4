"""`bcrm status` names what needs an operator, and the command that deals with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.core.deadletters import DeadLetter, DeadLetterStore
from pipeline.core.ledger import STATES
from pipeline.core.stages import QUEUES
from pipeline.flows.commerce.pollers import Checkpoints
from pipeline.index.prices import PriceHistory
from pipeline.ops.status import attention
from pipeline.runtime import redis_client, services


def _report(**changes: Any) -> dict[str, dict[str, Any]]:
    report: dict[str, dict[str, Any]] = {
        "queues": {**dict.fromkeys(QUEUES, 0), "unacknowledged": 0},
        "owed": {"units": 0, "oldest_with_nothing_in_flight_s": None},
        "ledger": {**dict.fromkeys(STATES, 0), "declared": 40},
        "dead_letters": {"dead": 0, "replayed": 0},
        "stores": {
            "abc": {
                "orders_lag_s": 5,
                "refunds_lag_s": 5,
                "last_reconcile": "ok 2026-11-27T03:00:00+00:00",
                "last_fixity": "never",
            }
        },
    }
    for section, values in changes.items():
        report[section] = {**report[section], **values}
    return report


def test_a_healthy_fleet_needs_nothing() -> None:
    assert attention(_report()) == []


def test_work_owed_long_with_nothing_in_flight_points_at_the_redrive_job() -> None:
    [finding] = attention(_report(owed={"units": 3, "oldest_with_nothing_in_flight_s": 900}))
    assert finding.startswith("work owed since 15 min ago has nothing queued or in flight")
    assert "re-drive" in finding and "bcrm beat" in finding


def test_work_owed_briefly_or_in_flight_is_just_work() -> None:
    owed = {"units": 3, "oldest_with_nothing_in_flight_s": 5}
    assert attention(_report(owed=owed, ledger={"classified": 3})) == []
    assert attention(_report(owed={"units": 3}, queues={"unacknowledged": 3})) == []


def test_dead_letters_stalled_polling_and_failed_audits_are_named() -> None:
    findings = attention(
        _report(
            dead_letters={"dead": 2},
            stores={"abc": {"orders_lag_s": 10**6, "refunds_lag_s": None,
                            "last_reconcile": "FAILED 2026-11-27T03:00:00+00:00",
                            "last_fixity": "ok 2026-11-27T03:30:00+00:00"}},
        )
    )  # fmt: skip
    assert findings[0].startswith("2 dead letter(s) waiting: `bcrm dlq list`")
    assert "abc orders: last successful poll 12 days ago (it should run every" in findings[1]
    assert "abc refunds: no successful poll yet" in findings[2]
    assert findings[3].startswith("abc: last reconcile failed")
    assert len(findings) == 4


def _status(store: str) -> dict[str, Any]:
    env = {**os.environ, "BCRM_BIGCOMMERCE_STORES": f"{store}:token"}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "status", "--json"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_a_quiet_store_polled_on_time_is_not_late() -> None:
    """Lag runs from the last successful poll, not from the store's newest change: no
    order for a day is a quiet store, not a stalled poller."""
    store = f"quiet{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    checkpoints = Checkpoints(redis_client())
    checkpoints.advance(store, "orders", now - timedelta(days=1))
    checkpoints.polled(store, "orders", now - timedelta(seconds=5))
    # Disclosures are looked at every 300 s: 200 s since the last look is on time.
    checkpoints.polled(store, "disclosures", now - timedelta(seconds=200))
    checkpoints.polled(store, "governed", now - timedelta(seconds=5))
    checkpoints.polled(store, "promotions", now - timedelta(seconds=5))
    # Flow 7's price poll keeps its state in the archive index.
    prices = PriceHistory(services.archive_index().engine)
    prices.polled(store, "USD", now - timedelta(seconds=5), full=True, checkpoint=now)
    try:
        report = _status(store)
        assert 0 <= report["stores"][store]["orders_lag_s"] < 60
        assert report["stores"][store]["orders_polls"] == 1
        assert report["stores"][store]["refunds_lag_s"] is None
        assert 200 <= report["stores"][store]["disclosures_lag_s"] < 260
        findings = [f for f in report["attention"].values() if f.startswith(store)]
        assert findings == [f"{store} refunds: no successful poll yet; is `bcrm beat` running "
                            "with a worker on the control queue, and does the store answer? "
                            "(`bcrm dlq list --stage control`)"]  # fmt: skip
    finally:
        redis_client().delete(*redis_client().keys(f"bcrm:*{store}*"))


def test_dead_letter_counts_agree_with_dlq_list_after_a_purge() -> None:
    """More entries than a page: `purge --all` removes every one it matches, and status
    counts what `dlq list` lists."""
    prefix = f"purge-{uuid.uuid4().hex[:8]}"
    store = DeadLetterStore(redis_client())
    for n in range(1010):
        store.add(DeadLetter(task_name="bcrm.render.x", stage="render", args=[], kwargs={},
                             exception_type="PermanentError", exception="no", traceback="",
                             attempts=1, record_key=f"{prefix}:{n}"))  # fmt: skip
    bcrm = [sys.executable, "-m", "pipeline.cli", "dlq"]
    purged = subprocess.run([*bcrm, "purge", "--all", "--record", prefix, "--yes"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert purged.stdout.strip() == "purged 1010", purged.stderr
    listed = subprocess.run([*bcrm, "list", "--json"], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert prefix not in listed.stdout
    assert _status("abc123")["dead_letters"]["dead"] == len(listed.stdout.splitlines())
