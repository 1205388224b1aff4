"""Celery beat that runs only while it holds a lock in Redis.

Two beats would enqueue every periodic job twice. Each `bcrm beat` takes
`bcrm:beat:lock` before scheduling anything and renews it on every tick; a second one
waits as a hot standby and takes over within one lock TTL after the first dies. A beat
that finds its lock taken by another exits instead of scheduling alongside it.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import redis
from celery.beat import PersistentScheduler

from pipeline.core import keys
from pipeline.core.redis_values import text
from pipeline.runtime import redis_client
from pipeline.runtime.log import log_event

LOCK_KEY = keys.BEAT_LOCK
LOCK_TTL_MS = 30_000
WAIT_POLL_S = 2.0
# beat must wake up well inside the TTL to renew the lock.
MAX_LOOP_INTERVAL_S = 5.0

_RENEW_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


@contextmanager
def _stop_waiting_on_signals() -> Iterator[None]:
    """While a standby waits for the lock, SIGTERM and SIGINT end the process at once.

    Celery's own handlers save the schedule through `Service.scheduler`, which is still
    being built while we wait: they would build a second scheduler that waits for the lock
    inside the handler, so the beat only logged and went on waiting. Nothing was scheduled
    yet, so there is nothing to save: exit cleanly.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        log_event("beat.standby_stopped", signal=signal.Signals(signum).name)
        raise SystemExit(0)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class LockedScheduler(PersistentScheduler):
    """A PersistentScheduler that schedules only while it owns the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock_token = f"{socket.gethostname()}:{uuid.uuid4().hex}"
        super().__init__(*args, **kwargs)
        # The stubs say `int | None`; Scheduler.__init__ always sets a number, float or int.
        self.max_interval = min(self.max_interval, MAX_LOOP_INTERVAL_S)  # type: ignore[type-var, assignment]

    def setup_schedule(self) -> None:
        self._acquire()
        super().setup_schedule()

    def _acquire(self) -> None:
        client = redis_client()
        waiting_logged = False
        with _stop_waiting_on_signals():
            while not client.set(LOCK_KEY, self.lock_token, nx=True, px=LOCK_TTL_MS):
                if not waiting_logged:
                    log_event("beat.standby", holder=text(client.get(LOCK_KEY) or b""))
                    waiting_logged = True
                time.sleep(WAIT_POLL_S)
        log_event("beat.lock_acquired", token=self.lock_token)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            renewed = redis_client().eval(_RENEW_SCRIPT, 1, LOCK_KEY, self.lock_token, LOCK_TTL_MS)
        except redis.ConnectionError:
            # A broker restart: schedule nothing until it answers. The lock survives in
            # the AOF with its expiry; if the outage outlasts it, a standby may take over
            # and the renewal below finds the lock gone.
            log_event("beat.broker_unreachable", logging.WARNING)
            return WAIT_POLL_S
        if not renewed:
            log_event("beat.lock_lost", logging.ERROR, token=self.lock_token)
            sys.exit(1)
        return float(super().tick(*args, **kwargs))

    def close(self) -> None:
        redis_client().eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end",
            1,
            LOCK_KEY,
            self.lock_token,
        )
        super().close()
