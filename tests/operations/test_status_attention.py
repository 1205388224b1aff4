"""`bcrm status` names what needs an operator, and the command that deals with it."""

from __future__ import annotations

from typing import Any

from pipeline.core.ledger import STATES
from pipeline.core.stages import QUEUES
from pipeline.ops.status import attention


def _report(**changes: Any) -> dict[str, dict[str, Any]]:
    report: dict[str, dict[str, Any]] = {
        "queues": {**dict.fromkeys(QUEUES, 0), "unacknowledged": 0},
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


def test_open_records_with_nothing_in_flight_point_at_reconcile_repair() -> None:
    [finding] = attention(_report(ledger={"classified": 1}))
    assert finding.startswith("1 record(s) open with nothing queued or in flight")
    assert "bcrm reconcile" in finding and "--repair" in finding


def test_open_records_with_work_in_flight_are_just_work() -> None:
    assert attention(_report(ledger={"classified": 3}, queues={"unacknowledged": 2})) == []


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
    assert "abc orders: 1000000 s behind" in findings[1]
    assert "abc refunds: never polled" in findings[2]
    assert findings[3].startswith("abc: last reconcile failed")
    assert len(findings) == 4
