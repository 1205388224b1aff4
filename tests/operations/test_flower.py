"""`bcrm flower`: never unauthenticated by accident, and a real Flower when allowed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from pipeline.devtools.canary import PlaceholderItem
from pipeline.devtools.canary import canvas as skeleton_canvas
from pipeline.runtime.fleet import Fleet
from tests.support import wait_for


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "FLOWER_BASIC_AUTH" not in k}
    return {**env, **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str, auth: tuple[str, str] | None = None) -> int:
    try:
        return requests.get(url, auth=auth, timeout=2).status_code
    except requests.ConnectionError:
        return 0


@contextmanager
def _flower(log: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """`bcrm flower` on a free loopback port; yields its URL, stops its process group."""
    port = _free_port()
    argv = [sys.executable, "-m", "pipeline.cli", "flower", "--port", str(port), *args]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(lambda: _status(url) or process.poll() is not None, timeout=60,
                 what="Flower answering")  # fmt: skip
        assert process.poll() is None, log.read_text()
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize(
    "args",
    [(), ("--insecure-loopback", "--address", "0.0.0.0")],
    ids=["no-credentials", "insecure-flag-on-a-public-address"],
)
def test_refuses_without_credentials(args: tuple[str, ...]) -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "flower", *args],
                            env=_env(), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "BCRM_FLOWER_BASIC_AUTH" in result.stderr


def test_starts_without_credentials_only_on_loopback_when_asked(tmp_path: Path) -> None:
    pytest.importorskip("flower")
    with _flower(tmp_path / "flower.log", _env(), "--insecure-loopback") as url:
        assert _status(url) == 200


def test_asks_for_the_configured_credentials(tmp_path: Path) -> None:
    pytest.importorskip("flower")
    env = _env(BCRM_FLOWER_BASIC_AUTH="ops:s3cret")
    with _flower(tmp_path / "flower.log", env) as url:
        assert _status(url) == 401
        assert _status(url, auth=("ops", "s3cret")) == 200


def test_metrics_and_healthcheck_ask_for_the_same_login(tmp_path: Path) -> None:
    pytest.importorskip("flower")
    env = _env(BCRM_FLOWER_BASIC_AUTH="ops:s3cret")
    with _flower(tmp_path / "flower.log", env) as url:
        for path in ("metrics", "healthcheck"):
            assert _status(url + path) == 401, path
            assert _status(url + path, auth=("ops", "wrong")) == 401, path
            assert _status(url + path, auth=("ops", "s3cret")) == 200, path


def test_open_probes_leave_only_metrics_and_healthcheck_open(tmp_path: Path) -> None:
    pytest.importorskip("flower")
    env = _env(BCRM_FLOWER_BASIC_AUTH="ops:s3cret")
    with _flower(tmp_path / "flower.log", env, "--open-probes") as url:
        assert _status(url + "healthcheck") == 200
        assert _status(url + "metrics") == 200
        assert _status(url) == 401
        assert _status(url + "api/workers") == 401


def test_switches_the_workers_task_events_on_while_it_watches(
    redis_url: str, tmp_path: Path
) -> None:
    """Workers start with task events off (celeryconfig); Flower's periodic enable_events
    must still give it every task a worker runs."""
    pytest.importorskip("flower")
    fleet = Fleet(redis_url, log_dir=tmp_path)
    fleet.start()
    try:
        env = _env(BCRM_FLOWER_BASIC_AUTH="ops:s3cret")
        with _flower(tmp_path / "flower.log", env) as url:
            item = PlaceholderItem(f"flower-{uuid.uuid4().hex[:8]}")

            def seen() -> bool:
                skeleton_canvas(item.ref()).apply_async()
                answer = requests.get(url + "api/tasks", auth=("ops", "s3cret"), timeout=5)
                tasks = answer.json()
                return any(item.record_key in str(t.get("args")) for t in tasks.values())

            wait_for(seen, timeout=120, what="Flower listing a task a worker ran")
    finally:
        fleet.stop()
