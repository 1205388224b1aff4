"""Waiting on conditions with generous deadlines: shared machines are slow and noisy."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis

from pipeline import runtime
from pipeline.runtime import clients, services

T = TypeVar("T")


def wait_for(probe: Callable[[], T], timeout: float = 90.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


# The flows a commerce world runs: what its tests pin. The disclosures flow (whose receipt
# every archived order also owes) has worlds of its own (tests/disclosures).
WORLD_FLOWS = "commerce,fulfilment"


def world_env(store: Any, ecm: Any, password: str, flows: str = WORLD_FLOWS) -> dict[str, str]:
    """The settings a worker of a test world runs with: the emulated store and ECM."""
    origin = urlsplit(store.base_url)
    return {
        "BCRM_FLOWS": flows,
        "BCRM_BIGCOMMERCE_API_URL": f"{origin.scheme}://{origin.netloc}",
        "BCRM_BIGCOMMERCE_STORES": f"{store.store_hash}:{store.access_token}",
        "BCRM_OTCS_URL": ecm.base_url,
        "BCRM_OTCS_USERNAME": ecm.username,
        "BCRM_OTCS_PASSWORD": password,
    }


def _forget_settings() -> None:
    for cached in (runtime.settings, clients.bigcommerce, clients.otcs, services.archive_index):
        cached.cache_clear()


@contextmanager
def configured(env: dict[str, str]) -> Iterator[None]:
    """This process configured as a worker of a test world (stores, ECM, index database),
    for in-process calls of code that reads the settings; restored afterwards."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    _forget_settings()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_settings()


def embedded_env(data_dir: Path) -> dict[str, str]:
    """The user's default for a `bcrm` child: no BCRM_REDIS_URL, so bcrm runs its own Redis
    under `data_dir`."""
    env = {k: v for k, v in os.environ.items() if k != "BCRM_REDIS_URL"}
    env["BCRM_DATA_DIR"] = str(data_dir)
    return env


def processes_of(data_dir: Path) -> list[int]:
    """Processes whose environment names this data dir (workers, emulators, Redis): what a
    command that started them must have stopped."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"BCRM_DATA_DIR={data_dir}".encode() in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def reap(command: subprocess.Popen[Any], data_dir: Path) -> None:
    """After a test of a command that starts children: if it is still running (the test
    failed or timed out), SIGKILL it and every process it started, so nothing outlives the
    test to load the machine for the ones after. A command that exited is left alone: the
    test asserts what it left behind."""
    if command.poll() is not None:
        return
    command.kill()
    command.wait()
    for pid in processes_of(data_dir):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def lose_messages(client: redis.Redis, queue: str, record_key: str) -> int:
    """Take a unit's messages off a queue, as a worker dying with them would."""
    lost = 0
    for raw in client.lrange(queue, 0, -1):
        if record_key.encode() in base64.b64decode(json.loads(raw)["body"]):
            lost += int(client.lrem(queue, 1, raw))
    return lost
