"""What a handler sees: the shared emulator state and one parsed call."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from aiohttp import web

from sandbox.otcs.auth import Credentials, TicketStore, User
from sandbox.otcs.faults import Faults
from sandbox.otcs.repository import Node, Repository
from sandbox.otcs.transport import Params


class RequestCounters:
    """Requests and statuses per route template, for benchmarks and call-count assertions."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._counts: dict[str, Counter[int]] = defaultdict(Counter)

    def record(self, route: str, status: int) -> None:
        with self._lock:
            self._counts[route][status] += 1

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                route: {
                    "count": sum(statuses.values()),
                    "status": {str(code): n for code, n in sorted(statuses.items())},
                }
                for route, statuses in sorted(self._counts.items())
            }

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


@dataclass
class UploadSettings:
    """Limits of the chunked `/v2/multipart` API (S1), small enough to exercise in tests."""

    min_size: int = 1
    max_size: int = 10 * 1024**3
    part_size: int = 5 * 1024**2
    session_ttl_s: float = 3600.0


@dataclass
class EmulatorState:
    repo: Repository
    tickets: TicketStore
    credentials: Credentials
    faults: Faults
    counters: RequestCounters = field(default_factory=RequestCounters)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    pending_uploads: dict[str, Any] = field(default_factory=dict)


@dataclass
class Call:
    """One authenticated API call: version, merged parameters, and the caller."""

    request: web.Request
    version: int
    params: Params
    state: EmulatorState
    user: User

    @property
    def repo(self) -> Repository:
        return self.state.repo

    def match(self, name: str) -> str:
        return self.request.match_info[name]

    def match_int(self, name: str) -> int:
        return int(self.request.match_info[name])

    def node(self, status: int = 500) -> Node:
        """The `{id}` node of the URL; a missing one answers `status` (400 or 500, per S1)."""
        return self.state.repo.get(self.match_int("id"), status=status)


Handler = Callable[[Call], web.StreamResponse | Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One API operation, registered once per listed version under the base path."""

    method: str
    pattern: str
    handler: Handler
    versions: tuple[int, ...] = (1, 2)
    public: bool = False
    accept_json: bool = False
