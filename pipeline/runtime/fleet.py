"""Worker processes started and stopped on behalf of a command (`bcrm demo`, tests).

Each group is a real `celery -A pipeline worker` process consuming some stage queues, in
its own process group so that stopping it also stops its pool children.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.celery import app
from pipeline.core.stages import worker_queues
from pipeline.runtime.processes import stop_together


@dataclass(frozen=True)
class WorkerGroup:
    """Queues that share a pool. I/O-bound stages wait on BigCommerce and the ECM, so
    many threads hide that latency; rendering is CPU-bound, so one process per core.
    Classify is a lookup in the file plan: on the threads it costs no pool hop and leaves
    both processes to rendering, the bottleneck (bench p3: 58.7 → 52.8 ms of CPU per
    record, fleet/serial 1.00 → 1.11)."""

    queues: tuple[str, ...]
    pool: str
    concurrency: int


# Which stage goes to which group is said once, in the stage enumeration.
WORKER_GROUPS: dict[str, WorkerGroup] = {
    "io": WorkerGroup(worker_queues("io"), "threads", 8),
    "cpu": WorkerGroup(worker_queues("cpu"), "prefork", 2),
}
READY_DEADLINE_S = 60.0
PING_RETRY_S = 0.5


@dataclass
class WorkerProcess:
    """One running worker node."""

    group: str
    node_name: str
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class Fleet:
    """Start worker groups against one Redis; stop every process they spawned."""

    redis_url: str
    log_dir: Path
    log_level: str = "WARNING"
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_group(self, group: str) -> WorkerProcess:
        spec = WORKER_GROUPS[group]
        node_name = f"{group}-{os.getpid()}-{len(self.workers)}@%h"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"worker-{group}-{len(self.workers)}.log"
        env = {**os.environ, **self.extra_env, "BCRM_REDIS_URL": self.redis_url}
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pipeline",
            "worker",
            "-Q",
            ",".join(spec.queues),
            "-n",
            node_name,
            "-P",
            spec.pool,
            "-c",
            str(spec.concurrency),
            "-l",
            self.log_level,
            "--without-gossip",
            "--without-mingle",
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(
            group, node_name.replace("%h", socket.gethostname()), process, log_path
        )
        self.workers.append(worker)
        return worker

    def start(self, groups: tuple[str, ...] = tuple(WORKER_GROUPS)) -> None:
        for group in groups:
            self.start_group(group)
        self.wait_ready()

    def wait_ready(self, deadline_s: float = READY_DEADLINE_S) -> None:
        """Block until every node answers a broadcast ping (it is consuming by then)."""
        pending = {w.node_name for w in self.workers if w.process.poll() is None}
        deadline = time.monotonic() + deadline_s
        while pending:
            for worker in self.workers:
                if worker.process.poll() is not None:
                    raise RuntimeError(
                        f"worker {worker.node_name} exited with {worker.process.returncode}; "
                        f"see {worker.log_path}"
                    )
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready after {deadline_s:.0f}s: {sorted(pending)}")
            # A fresh connection each round: a pooled one may point at a broker that
            # restarted since (chaos, an outage), and would fail every ping.
            with app.connection_for_write() as connection:
                try:
                    replies = app.control.ping(
                        destination=sorted(pending), timeout=0.5, connection=connection
                    )
                except connection.connection_errors:
                    time.sleep(PING_RETRY_S)
                    continue
            for reply in replies or ():  # None only when no reply is asked for
                pending -= set(reply)

    def kill(self, worker: WorkerProcess, sig: signal.Signals = signal.SIGKILL) -> None:
        """SIGKILL a whole worker node (main process and pool) at once, or send any other
        signal to its main process only, as a supervisor does (a SIGTERM that reached the
        pool processes too would end their tasks instead of letting them finish); wait
        for it to exit and forget it."""
        if sig == signal.SIGKILL:
            _signal_group(worker, sig)
        else:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(sig)
        worker.process.wait()
        _signal_group(worker, signal.SIGKILL)  # pool processes the node left behind
        self.workers.remove(worker)

    def revive(self) -> list[WorkerProcess]:
        """Replace every node that exited on its own, as a supervisor's restart policy does
        (compose: `restart: unless-stopped`), and return the ones that had exited. Celery
        ends a threads-pool node with "Unrecoverable error" when a task finishes after the
        broker connection dropped; its unacknowledged tasks come back from Redis."""
        exited = [w for w in self.workers if w.process.poll() is not None]
        for worker in exited:
            self.workers.remove(worker)
            self.start_group(worker.group)
        return exited

    def stop(self) -> None:
        stop_together([self])

    def terminate(self) -> None:
        """SIGTERM each node's main process: a warm shutdown, running tasks finish."""
        for worker in self.workers:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        """Wait for the nodes until `deadline`, then SIGKILL stragglers and their pools."""
        workers, self.workers = self.workers, []
        for worker in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _signal_group(worker, signal.SIGKILL)  # a stuck node or orphaned pool processes
            worker.process.wait()


def _signal_group(worker: WorkerProcess, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.process.pid, sig)
