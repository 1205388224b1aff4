"""Tickets: issue, validate, expire — the behaviour clients' re-login logic is tested against.

Expiry is both idle (since the last request) and absolute (since login), each
configurable, matching the two switches reported by `serverinfo.sessions` (S1).
The ticket value does not change between calls (reference: unconfirmed); it is
echoed in the `OTCSTicket` response header so clients that chain it keep working.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from aiohttp import web

from sandbox.otcs.directory import Directory, User
from sandbox.otcs.transport import ApiError

AUTH_REQUIRED = "Authentication Required"


@dataclass
class _Session:
    user: User
    created: float
    last_used: float


class TicketStore:
    """Thread-safe ticket table with idle and absolute lifetimes."""

    def __init__(self, idle_s: float, absolute_s: float) -> None:
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self._sessions: dict[str, _Session] = {}
        self._external: dict[str, str] = {}
        self._lock = threading.RLock()

    def issue(self, user: User) -> str:
        ticket = secrets.token_urlsafe(48)
        now = time.monotonic()
        with self._lock:
            self._sessions[ticket] = _Session(user, now, now)
        return ticket

    def validate(self, ticket: str) -> User | None:
        """Return the ticket's user and slide its idle window, or None once expired."""
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(ticket)
            if session is None:
                return None
            if now - session.last_used > self.idle_s or now - session.created > self.absolute_s:
                del self._sessions[ticket]
                return None
            session.last_used = now
            return session.user

    def for_external(self, token: str, user: User) -> str:
        """Reuse one ticket per OTDS ticket / bearer token so the table stays bounded."""
        with self._lock:
            ticket = self._external.get(token)
            if ticket is not None and self.validate(ticket) is not None:
                return ticket
            ticket = self.issue(user)
            self._external[token] = ticket
            return ticket

    def user_of(self, ticket: str) -> User | None:
        """The ticket's user without sliding its window (the call already validated it)."""
        with self._lock:
            session = self._sessions.get(ticket)
            return session.user if session else None

    def revoke(self, ticket: str) -> None:
        with self._lock:
            self._sessions.pop(ticket, None)

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            self._external.clear()
            return count


@dataclass
class Credentials:
    """What the emulator accepts: the service account (`user`), the other users of the
    directory, plus OTDS tickets and bearer tokens (for the service account) if configured."""

    username: str
    password: str
    user: User
    otds_tickets: frozenset[str] = frozenset()
    bearer_tokens: frozenset[str] = frozenset()
    directory: Directory | None = None

    def __post_init__(self) -> None:
        if self.directory is None:
            self.directory = Directory(self.user, self.password)

    @property
    def members(self) -> Directory:
        assert self.directory is not None  # set in __post_init__
        return self.directory

    def check_password(self, username: str, password: str) -> User:
        if not username:
            raise ApiError(500, "Argument username is required")
        if not password:
            raise ApiError(500, "Argument password is required")
        same_user = secrets.compare_digest(username.lower(), self.username.lower())
        if same_user and secrets.compare_digest(password, self.password):
            return self.user
        user = None if same_user else self.members.check_password(username, password)
        if user is None:
            raise ApiError(401, "Invalid username/password specified")
        return user

    def external_token(self, request: web.Request) -> str | None:
        """The OTDS ticket or OAuth bearer token of the request, if it is an accepted one."""
        otds = request.headers.get("OTDSTicket")
        if otds and otds in self.otds_tickets:
            return otds
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip() in self.bearer_tokens:
            return token.strip()
        return None


def authenticate(request: web.Request, tickets: TicketStore, credentials: Credentials) -> str:
    """Resolve the caller to a ticket (issuing one for OTDS/bearer callers) or raise 401.

    Header lookup is case-insensitive because aiohttp's headers are a CIMultiDict,
    matching clients that send `otcsticket` or `OTCSTICKET` (S4, S9).
    """
    ticket = request.headers.get("OTCSTicket")
    if ticket and tickets.validate(ticket) is not None:
        return ticket
    token = credentials.external_token(request)
    if token is not None:
        return tickets.for_external(token, credentials.user)
    raise ApiError(401, AUTH_REQUIRED)
