"""`bcrm worker`, `bcrm status` and `bcrm dlq` as an operator runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.deadletters import DeadLetter, DeadLetterFilter
from pipeline.devtools.canary import PlaceholderItem
from pipeline.devtools.canary import canvas as skeleton_canvas
from pipeline.runtime import services
from tests.support import wait_for

pytestmark = pytest.mark.e2e


def _bcrm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def bcrm_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """`bcrm worker` consuming every stage queue, as a real process."""
    log = tmp_path_factory.mktemp("bcrm-worker") / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "worker", "-n", f"cli-{uuid.uuid4().hex[:6]}@%h",
             "-l", "WARNING"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def _declared(item: PlaceholderItem) -> bool:
    return services.ledger().get(item.record_key).get("state") == "declared"


def test_bcrm_worker_runs_the_canvas(bcrm_worker: subprocess.Popen[bytes]) -> None:
    item = PlaceholderItem(f"cli-{uuid.uuid4().hex[:8]}")
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _declared(item), what="the item declared by bcrm worker")
    assert bcrm_worker.poll() is None


def test_status_reports_queues_ledger_and_dead_letters() -> None:
    result = _bcrm("status", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        "queues", "owed", "ledger", "flows", "archive", "dead_letters", "stores", "attention"
    }  # fmt: skip
    assert set(report["owed"]) == {"units", "oldest_with_nothing_in_flight_s"}
    assert set(report["archive"]) >= {"commerce", "fulfilment"}
    assert {
        "fetch",
        "publish",
        "render",
        "classify",
        "declare",
        "control",
        "unacknowledged",
    } == set(report["queues"])
    assert set(report["flows"]) == {"commerce", "fulfilment", "disclosures", "approvals", "cases",
                                   "recalls", "campaigns", "canary"}  # fmt: skip
    # the canary item `bcrm worker` declared above counts under its flow, and in the whole
    assert 1 <= report["flows"]["canary"]["declared"] <= report["ledger"]["declared"]


def test_dlq_list_show_replay_and_purge(
    bcrm_worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    item = PlaceholderItem(f"cli-{uuid.uuid4().hex[:8]}", fail_first={"render": 5})
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: services.ledger().get(item.record_key).get("state") == "dead_lettered",
             what="the item dead-lettered")  # fmt: skip

    listed = _bcrm("dlq", "list", "--record", item.record_key, "--json")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.strip().splitlines()
    entry_id = json.loads(line)["id"]
    assert json.loads(line)["stage"] == "render"

    shown = json.loads(_bcrm("dlq", "show", entry_id, "--json").stdout)
    assert shown["task_name"] == "bcrm.render.placeholder"
    assert "Traceback" in shown["traceback"]
    readable = _bcrm("dlq", "show", entry_id)
    assert readable.returncode == 0, readable.stderr
    lines = readable.stdout.splitlines()
    assert lines[0] == f"dead letter {entry_id}"
    assert f"  record     {item.record_key}" in lines
    traceback = lines[lines.index("traceback:") + 1 :]
    assert traceback[0].strip() == "Traceback (most recent call last):"
    assert any(line.strip().startswith('File "') for line in traceback)
    assert "\\n" not in readable.stdout

    replayed = _bcrm("dlq", "replay", entry_id)
    assert replayed.returncode == 0 and "replayed 1 of 1" in replayed.stdout
    again = _bcrm("dlq", "replay", entry_id)
    assert "replayed 0 of 1" in again.stdout
    wait_for(lambda: _declared(item), what="the replayed item declared")

    missing = _bcrm("dlq", "show", "no-such-entry")
    assert missing.returncode == 1 and "no dead letter" in missing.stderr
    purged = _bcrm("dlq", "purge", entry_id, "--yes")
    assert purged.returncode == 0 and "purged 1" in purged.stdout
    assert services.dead_letters().list(DeadLetterFilter(record_prefix=item.record_key,
                                                         status=None)) == []  # fmt: skip


def test_dlq_replay_needs_ids_or_all() -> None:
    result = _bcrm("dlq", "replay")
    assert result.returncode == 2
    assert "name entry ids or use --all" in result.stderr


def test_control_dead_letters_are_listed_by_stage() -> None:
    """beat's monthly jobs dead-letter under the stage `control`: `--stage control` finds
    them and the other stages do not."""
    entry = DeadLetter(
        task_name="bcrm.control.tax_summaries",
        stage="control",
        args=["abc123", 2024, 3],
        kwargs={},
        exception_type="PermanentError",
        exception="ledger says no",
        traceback='Traceback (most recent call last):\n  File "x.py", line 1\nPermanentError\n',
        attempts=1,
        record_key=f"control-{uuid.uuid4().hex[:8]}",
    )
    services.dead_letters().add(entry)
    try:
        control = _bcrm("dlq", "list", "--stage", "control", "--json")
        assert control.returncode == 0, control.stderr
        assert entry.id in control.stdout
        assert entry.id not in _bcrm("dlq", "list", "--stage", "render", "--json").stdout
    finally:
        services.dead_letters().purge([entry.id])
