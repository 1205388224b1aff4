"""The short form of every chaos scenario, run as an operator would: `bcrm chaos <name>`
on its own throwaway world, judged by its own verdict (0 lost, 0 duplicate, 0 hash
mismatch, no problem of the scenario's own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.devtools.chaos.scenarios import SCENARIOS

pytestmark = [pytest.mark.chaos, pytest.mark.e2e]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_short_form_loses_nothing_and_duplicates_nothing(name: str, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if k != "BCRM_REDIS_URL"}
    env["BCRM_DATA_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "chaos", name, "--no-progress",
         "--timeout", "600", "--report", str(report_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert report_path.exists(), done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["problems"] == [], done.stderr[-3000:]
    assert (report["lost"], report["duplicates"], report["hash_mismatch"]) == (0, 0, 0)
    assert report["due_documents"] > 0
    settled = report["present_exactly_once"] + report["dead_lettered"]
    assert settled == report["due_documents"] + report["orders_refused"]
    assert report["faults"], "the scenario injected nothing"
    assert done.returncode == 0, done.stderr[-3000:]
