"""Helper processes a command starts and must stop: emulators, beat, the webhook receiver.

Each is a real `bcrm ...` child in its own process group that prints one JSON line when
it is ready (the emulators and the receiver), so the parent learns its URL without
guessing ports.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

READY_DEADLINE_S = 120.0
STOP_GRACE_S = 20.0


class Stoppable(Protocol):
    """Something that stops in two steps, so many can be asked at once."""

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM), without waiting."""

    def finish(self, deadline: float) -> None:
        """Wait for it until `deadline` (monotonic), then SIGKILL what is left."""


def stop_together(children: Iterable[Stoppable], grace_s: float = STOP_GRACE_S) -> None:
    """Ask every child to stop at once, give them one grace period between them, then
    SIGKILL what is left. Stopped one after another, each took its own grace, and on a busy
    machine a demo took minutes to go; a second Ctrl-C meanwhile is ignored, so it cannot
    abandon the rest as orphans."""
    children = list(children)
    with _interrupts_held():
        for child in children:
            child.terminate()
        deadline = time.monotonic() + grace_s
        for child in children:
            child.finish(deadline)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass
class ChildProcess:
    """A `python -m pipeline.cli <args>` child."""

    name: str
    args: list[str]
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def start(self, announces: bool = True) -> dict[str, Any]:
        """Start the child; if it `announces`, wait for its JSON line and return it."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *self.args],
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if announces else log,
            stderr=log,
            start_new_session=True,
        )
        if announces:
            self.info = self._read_announcement()
            threading.Thread(target=self._drain, args=(log,), daemon=True).start()
        return self.info

    def _drain(self, log: Any) -> None:
        """Keep copying whatever the child prints after its announcement, so a full pipe
        can never block it."""
        assert self.process is not None and self.process.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for chunk in iter(self.process.stdout.readline, b""):
                log.write(chunk)
                log.flush()

    def _read_announcement(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()))
        reader.start()
        reader.join(READY_DEADLINE_S)
        if not line or not line[0].strip():
            self.stop()
            raise RuntimeError(f"{self.name} did not start; see {self.log_dir / self.name}.log")
        return dict(json.loads(line[0]))

    def stop(self) -> None:
        stop_together([self])

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
