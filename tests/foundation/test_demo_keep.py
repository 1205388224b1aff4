"""`bcrm demo --keep` on the embedded default, without live changes: every record once in
its report, then the world stays up after the summary, says where it is and how to fetch a
record's PDF, and goes away cleanly on Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
import requests

from tests.support import embedded_env, processes_of, reap, wait_for

URL = re.compile(r"https?://[^\s)]+")


def _collect(stream: IO[str], lines: list[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.append(line)


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=10)
    except requests.ConnectionError:
        return False
    return True


def _pdf_command(line: str, out: Path) -> tuple[dict[str, str], list[str]]:
    """The printed command's settings and `bcrm` arguments, writing to `out` instead."""
    words = shlex.split(line)
    settings = dict(w.split("=", 1) for w in words[: words.index("bcrm")])
    args = words[words.index("bcrm") + 1 :]
    args[args.index("--out") + 1] = str(out)
    return settings, args


@pytest.mark.e2e
def test_keep_leaves_everything_running_until_ctrl_c(tmp_path: Path) -> None:
    data_dir, report = tmp_path / "var", tmp_path / "report.json"
    env = embedded_env(data_dir)
    demo = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "demo", "--orders", "5", "--no-live", "--keep",
         "--no-progress", "--report", str(report)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=_collect, args=(demo.stdout, lines), daemon=True).start()
    try:
        command = wait_for(
            lambda: next((x for x in lines if x.strip().startswith("BCRM_")), None),
            timeout=600,
            what="the record PDF command",
        )
        printed = "".join(lines)
        assert "Result" in printed and "present exactly once" in printed
        summary = json.loads(report.read_text())
        assert summary["ok"] is True and summary["orders_seen"] == 5
        assert summary["due_documents"] == summary["present_exactly_once"] > 5
        # no live changes: the orders' documents, the disclosures and the seeded
        # promotions' versions and exceptions (flow 7 looks at them however it is run)
        flows = {"commerce", "fulfilment", "disclosures", "campaigns"}
        assert set(summary["records_per_flow"]) == flows
        assert sum(summary["records_per_flow"].values()) == summary["present_exactly_once"]
        assert summary["dead_letters"] == 0
        running = printed[printed.index("Still running") :]
        urls = URL.findall(running)
        names = ("BigCommerce emulator", "Content Server (ECM) emulator", "webhook receiver")
        assert all(name in running for name in names)
        assert len(urls) >= 4, running
        assert all(_answers(url) for url in urls), urls

        out = tmp_path / "record.pdf"
        settings, args = _pdf_command(command, out)
        fetched = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            env={**env, **settings},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert fetched.returncode == 0, fetched.stderr
        data = out.read_bytes()
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() in fetched.stdout

        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=180)
    finally:
        reap(demo, data_dir)
    assert demo.returncode == 0, demo.stderr.read()[-2000:] if demo.stderr else ""
    assert not any(_answers(url) for url in urls)
    assert not (data_dir / "redis" / "redis.json").exists()
    wait_for(lambda: processes_of(data_dir) == [], timeout=60, what="every child gone")
