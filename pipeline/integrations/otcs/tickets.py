"""Sharing one OTCS ticket across threads and worker processes, without login storms.

When a ticket expires, every worker's next call gets 401 at about the same moment.
If each logged in on its own, twenty workers would open twenty sessions at once (a
"login storm") and overwrite each other's tickets. Instead every store follows the
same double-checked rule: a caller passes the ticket that just failed; if the store
already holds a different one, somebody has logged in since and the caller reuses
it; otherwise exactly one caller (the lock holder) logs in and publishes the result.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Protocol

import redis

from pipeline.core import keys
from pipeline.core.errors import TransientError
from pipeline.runtime.log import log_event

Login = Callable[[], str]


class TicketStore(Protocol):
    """Where the current ticket lives; `refresh` must let exactly one caller log in."""

    def current(self) -> str | None:
        """The ticket to try first, or None when nobody has logged in yet."""
        ...

    def refresh(self, stale: str | None, login: Login) -> str:
        """A ticket other than `stale`: someone else's fresh one, or ours from `login()`."""
        ...


class MemoryTicketStore:
    """For one process: a lock around the double check is enough."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ticket: str | None = None

    def current(self) -> str | None:
        return self._ticket

    def refresh(self, stale: str | None, login: Login) -> str:
        with self._lock:
            if self._ticket is None or self._ticket == stale:
                self._ticket = login()
            return self._ticket


# Compare-and-delete: release the lock only if we still own it (it may have expired
# and been taken by another worker while a slow login was running).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def account_scope(base_url: str, username: str, domain: str | None = None) -> str:
    """A stable key part per server and account, so two servers never swap tickets."""
    identity = f"{base_url.rstrip('/')}\n{username.lower()}\n{domain or ''}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


class RedisTicketStore:
    """For a fleet: the ticket and a short login lock live in Redis.

    Waiters poll the ticket key instead of queueing on the lock, so the moment the
    holder publishes a new ticket all of them proceed with it in parallel. The lock
    expires on its own (`lock_s`) if its holder dies mid-login; a waiter then takes
    over (so a login slower than `lock_s` may be joined by one more, never a storm).
    The ticket key expires after `ticket_ttl_s` so a credential does not linger in
    Redis once the fleet stops using it.
    """

    def __init__(
        self,
        client: redis.Redis,
        scope: str,
        *,
        lock_s: float = 30.0,
        wait_s: float = 60.0,
        poll_s: float = 0.02,
        ticket_ttl_s: float = 8 * 3600,
    ) -> None:
        self._redis = client
        self.ticket_key = keys.otcs_ticket(scope)
        self.lock_key = keys.otcs_login_lock(scope)
        self._lock_ms = int(lock_s * 1000)
        self._wait_s = wait_s
        self._poll_s = poll_s
        self._ticket_ttl_ms = int(ticket_ttl_s * 1000)
        self._release = client.register_script(_RELEASE)

    def current(self) -> str | None:
        try:
            value = self._redis.get(self.ticket_key)
        except redis.RedisError as error:
            raise TransientError(f"ticket store unreachable: {error}") from error
        return value.decode() if isinstance(value, bytes) else value

    def refresh(self, stale: str | None, login: Login) -> str:
        try:
            return self._refresh(stale, login)
        except redis.RedisError as error:
            raise TransientError(f"ticket store unreachable: {error}") from error

    def _refresh(self, stale: str | None, login: Login) -> str:
        deadline = time.monotonic() + self._wait_s
        owner = uuid.uuid4().hex
        waited = False
        while True:
            ticket = self.current()
            if ticket is not None and ticket != stale:
                return ticket
            if self._redis.set(self.lock_key, owner, nx=True, px=self._lock_ms):
                return self._login_holding_lock(stale, login, owner)
            if not waited:
                log_event("otcs.login_wait", logging.DEBUG, key=self.ticket_key)
                waited = True
            if time.monotonic() > deadline:
                raise TransientError("timed out waiting for another worker's OTCS login")
            time.sleep(self._poll_s)

    def _login_holding_lock(self, stale: str | None, login: Login, owner: str) -> str:
        try:
            ticket = self.current()
            if ticket is not None and ticket != stale:
                return ticket  # published between our check and our lock
            ticket = login()
            self._redis.set(self.ticket_key, ticket, px=self._ticket_ttl_ms)
            return ticket
        finally:
            self._release(keys=[self.lock_key], args=[owner])
