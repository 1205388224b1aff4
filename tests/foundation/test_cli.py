"""The `bcrm` command as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import redis
from click.testing import CliRunner

from pipeline.cli import main
from tests.support import embedded_env, processes_of, reap, wait_for


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=lambda p: " ".join(p) or "bcrm")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def _bcrm(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_config_prints_masked_settings() -> None:
    env = {
        **os.environ,
        "BCRM_REDIS_URL": "redis://:topsecret@127.0.0.1:1/0",
        "BCRM_FLOWER_BASIC_AUTH": "admin:pw123",
    }
    result = _bcrm("config", "--json", env=env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["BCRM_REDIS_URL"] == "redis://:****@127.0.0.1:1/0"
    assert "topsecret" not in result.stdout and "pw123" not in result.stdout


def test_a_bad_setting_exits_non_zero_with_one_line_and_no_traceback() -> None:
    result = _bcrm("config", env={**os.environ, "BCRM_TASK_TIME_LIMIT": "many"})
    assert result.returncode == 2
    assert result.stderr.strip() == "bcrm: BCRM_TASK_TIME_LIMIT: Not a valid integer."


def test_an_unreachable_redis_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "BCRM_REDIS_URL": "redis://127.0.0.1:1/0"}
    result = _bcrm("status", env=env)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_ctrl_c_stops_every_process_the_demo_started(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "demo",
            "--orders",
            "300",
            "--no-progress",
        ],
        env=embedded_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        runtime = data_dir / "redis" / "redis.json"
        wait_for(runtime.exists, what="the embedded Redis")
        client = redis.Redis(port=json.loads(runtime.read_text())["port"])
        wait_for(lambda: client.scard("bcrm:ledger:state:declared"), what="first declaration")
        demo.send_signal(signal.SIGINT)
        _, stderr = demo.communicate(timeout=180)
    finally:
        reap(demo, data_dir)
    assert demo.returncode == 130
    assert "interrupted" in stderr
    assert not runtime.exists()
    assert processes_of(data_dir) == []


@pytest.mark.e2e
def test_demo_archives_the_emulated_store_and_its_live_changes(tmp_path: Path) -> None:
    """README command 1, small: every due document in the ECM exactly once; the terms
    edited between two orders; five price changes that end five ways."""
    data_dir = tmp_path / "var"
    report = tmp_path / "report.json"
    result = _bcrm(
        "demo",
        "--orders",
        "15",
        "--report",
        str(report),
        "--no-progress",
        # The user's default (the suite turns it off for tests that count records).
        env={**embedded_env(data_dir), "BCRM_CASES_OPEN_ON_DISPUTE": "true"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(report.read_text())
    assert summary["ok"] is True
    # 15 seeded + 2 placed live, the terms edited between, + 1 using the campaign's promotion
    assert summary["orders_seen"] == 18
    assert summary["due_documents"] == summary["present_exactly_once"] > 30
    assert len(summary["live_changes"]) >= 3
    amounts = [c for c in summary["live_changes"] if re.search(r"\d\.\d", c)]
    assert amounts and all(re.search(r"\d [A-Z]{3}\b", c) for c in amounts), amounts
    assert summary["orders_fetched"] == summary["orders_seen"]
    assert summary["reconciliation"] == []
    assert summary["dead_letters"] == 0
    assert summary["records_per_rsi"]
    disclosures = summary["flows"]["disclosures"]
    assert disclosures["versions"] >= 20  # every seeded page and setting, and the edit
    assert disclosures["receipts"] == summary["records_per_kind"]["disclosure_receipt"] > 0
    assert disclosures["as_of_checks_passed"] == disclosures["as_of_checks"] == 2
    before, after = disclosures["as_of"]
    assert before["state"] == after["state"] == "exact"
    assert before["content_sha256"] != after["content_sha256"]
    approvals = summary["flows"]["approvals"]
    assert (approvals["requested"], approvals["published"], approvals["rejected"]) == (4, 1, 1)
    assert approvals["refused"] == {"drift": 1, "separation of duties": 1}
    assert approvals["receipts"] == 1 and approvals["refusal_records"] == 2
    # The drift's own edit and the direct one: each a record, counted by the inventory too,
    # which also counts the campaigns part's widened promotion (flow 3's watch files it).
    assert approvals["unapproved_changes"] == 2
    assert summary["records_per_kind"]["unapproved_change"] == 3
    assert approvals["checks_passed"] == approvals["checks"] == 6
    _assert_case_files(summary, after["order_id"])
    _assert_campaigns(summary)
    _assert_recall(summary)
    assert not (data_dir / "redis" / "redis.json").exists()
    assert processes_of(data_dir) == []
    _assert_logs_hold_no_secrets_or_personal_data(data_dir / "logs")


def _assert_campaigns(summary: dict[str, Any]) -> None:
    """The approved campaign's promotion published, the unapproved and the widened one
    caught, its prior-price evidence filed, its closeout with the order that used it;
    each a record the inventory counts too."""
    campaigns = summary["flows"]["campaigns"]
    kinds = summary["records_per_kind"]
    assert campaigns["checks_passed"] == campaigns["checks"] == 4
    # (the inventory also counts versions superseded and kept as earlier versions)
    assert 4 <= campaigns["promotion_versions"] <= kinds["promotion_version"]
    for check in (
        "unapproved_live",
        "created_outside_workflow",
        "above_max_discount",
        "changed_after_approval",
    ):
        assert campaigns["exceptions"][check] >= 1, campaigns["exceptions"]
    assert campaigns["exception_records"] == sum(campaigns["exceptions"].values())
    assert campaigns["exception_records"] <= kinds["campaign_exception"]
    assert 1 <= campaigns["evidence"] <= kinds["campaign_prior_price_evidence"]
    assert campaigns["closeouts"] == kinds["campaign_closeout"] == 1
    assert campaigns["closeout_orders"] == 1


def _assert_case_files(summary: dict[str, Any], disputed: int) -> None:
    """The helpdesk's case, closed, and the live order's dispute, held: each filed, linked
    to its order's records and (the dispute) holding them."""
    cases = summary["flows"]["cases"]
    files = {case["case_id"]: case for case in cases["case_files"]}
    helpdesk, dispute = files["HD-1001"], files[f"dispute-{disputed}"]
    assert [helpdesk[k] for k in ("origin", "status", "hold")] == ["helpdesk", "closed", None]
    assert helpdesk["records"] >= 4  # summary, log, the photo, the closure
    assert [dispute[k] for k in ("reason", "status", "hold_state")] == [
        "dispute",
        "open",
        "in force",
    ]
    assert cases["cases"] == len(files) >= 2
    assert 0 < cases["earlier_versions"] < cases["records"]
    assert cases["records"] == sum(case["records"] for case in files.values())
    linked = [case["linked_records"] for case in files.values()]
    assert cases["linked_records"] == sum(linked) and all(linked)
    held = [case for case in files.values() if case["hold_state"] == "in force"]
    assert cases["holds_applied"] == len(held)
    assert cases["records_on_hold"] >= dispute["records"] + dispute["linked_records"]


def _assert_recall(summary: dict[str, Any]) -> None:
    """The recall of a SKU sold in several orders: taken off sale and verified, every
    record of its orders held, the re-enable refused by the gate."""
    recall = summary["flows"]["recalls"]
    assert recall["checks_passed"] == recall["checks"] == 4, recall["failed"]
    assert recall["affected_orders"] >= 2
    assert recall["opened_by"] != recall["decided_by"]
    assert recall["takedowns"] == recall["off_sale"] >= 1
    assert 0 < recall["takedown_seconds"] < 120
    # Every affected order has an order record, an invoice and a payment record at least.
    assert recall["records_on_hold"] >= 3 * recall["affected_orders"]
    assert recall["reenable_refused"] == 1


# What must never reach our logs: credentials and tickets by name, webhook signing keys,
# and customers' e-mail addresses and names (the seed's addresses are all @example.*;
# the demo's live buyer is Zoë Ødegård).
FORBIDDEN_IN_LOGS = (
    "@example.",
    "X-Auth-Token",
    "OTCSTicket",
    "ticket",
    "password",
    "access_token",
    "whsec_",
    "Zoë",
    "Ødegård",
)


def _assert_logs_hold_no_secrets_or_personal_data(log_dir: Path) -> None:
    """Every line the workers, beat and the webhook receiver wrote (the emulators' own
    logs are the other side's, not ours)."""
    ours = [p for p in log_dir.glob("*.log") if "emulator" not in p.name]
    assert {p.name for p in ours} >= {"beat.log", "webhooks.log"}
    lines = [line for path in ours for line in path.read_text(errors="replace").splitlines()]
    assert len(lines) > 50
    for word in FORBIDDEN_IN_LOGS:
        leaks = [line for line in lines if word.lower() in line.lower()]
        assert not leaks, f"{word!r} in our logs: {leaks[0][:200]}"
