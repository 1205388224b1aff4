"""Exactly one beat schedules: a second waits and takes over when the first dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.runtime import redis_client
from pipeline.runtime.beat import LOCK_KEY
from tests.support import wait_for

pytestmark = pytest.mark.e2e


def _beat(data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BCRM_DATA_DIR": str(data_dir), "BCRM_LOG_LEVEL": "INFO"}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "beat", "-l", "INFO"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def test_a_standby_beat_takes_over_when_the_holder_dies(tmp_path: Path) -> None:
    redis_client().delete(LOCK_KEY)
    first = _beat(tmp_path / "a", tmp_path / "a.log")
    second = None
    try:
        holder = wait_for(lambda: redis_client().get(LOCK_KEY), what="the first beat's lock")
        second = _beat(tmp_path / "b", tmp_path / "b.log")
        wait_for(lambda: b"beat.standby" in (tmp_path / "b.log").read_bytes(), what="standby")
        assert redis_client().get(LOCK_KEY) == holder
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        taken = wait_for(
            lambda: (v := redis_client().get(LOCK_KEY)) not in (None, holder) and v,
            what="the standby to take the lock",
        )
        assert taken != holder
        assert second.poll() is None
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_standby_beat_stops_at_once_on_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    """A standby only waits for the lock: SIGTERM (a supervisor) or Ctrl-C ends it, without
    waiting for the holder to go."""
    redis_client().set(LOCK_KEY, "another-host:holder", px=600_000)
    log = tmp_path / "standby.log"
    standby = _beat(tmp_path / "s", log)
    try:
        wait_for(lambda: b"beat.standby" in log.read_bytes(), what="the standby waiting")
        standby.send_signal(sig)
        assert standby.wait(timeout=15) == 0, log.read_text()
        assert b"beat.standby_stopped" in log.read_bytes()
        assert redis_client().get(LOCK_KEY) == b"another-host:holder"
    finally:
        if standby.poll() is None:
            os.killpg(standby.pid, signal.SIGKILL)
            standby.wait()
        redis_client().delete(LOCK_KEY)
