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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READY_DEADLINE_S = 120.0


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
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
