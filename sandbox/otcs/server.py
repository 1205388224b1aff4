"""`OTCSEmulator`: the server on its own event loop in a background thread.

Tests and the benchmark start it in-process; the CLI wraps the same class, so both
paths serve identical behaviour.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox.otcs.admin import inventory, reset_repository
from sandbox.otcs.app import build_app
from sandbox.otcs.auth import Credentials, TicketStore, User
from sandbox.otcs.context import EmulatorState, UploadSettings
from sandbox.otcs.faults import Faults
from sandbox.otcs.seed import ADMIN_USER_ID, build_repository

ADMIN_PATH = "/otcs-admin"


class OTCSEmulator:
    """An OpenText Content Server REST API emulator listening on a real socket."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        base_path: str = "/otcs/cs.exe/api",
        username: str = "admin",
        password: str | None = None,
        ticket_idle_s: float = 30 * 60,
        ticket_absolute_s: float = 8 * 3600,
        otds_tickets: tuple[str, ...] = (),
        bearer_tokens: tuple[str, ...] = (),
        uploads: UploadSettings | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.base_path = "/" + base_path.strip("/")
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.state = EmulatorState(
            repo=build_repository(),
            tickets=TicketStore(ticket_idle_s, ticket_absolute_s),
            credentials=Credentials(
                username=username,
                password=self.password,
                user=User(id=ADMIN_USER_ID, name=username),
                otds_tickets=frozenset(otds_tickets),
                bearer_tokens=frozenset(bearer_tokens),
            ),
            faults=Faults(),
            uploads=uploads or UploadSettings(),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.base_path

    @property
    def admin_url(self) -> str:
        return self.origin + ADMIN_PATH

    def start(self) -> OTCSEmulator:
        """Start serving; returns once the socket is listening (port 0 → a free port)."""
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failure), name="otcs-emulator", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as error:  # reported to the starting thread, not swallowed
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _listen(self) -> None:
        app = build_app(self.state, self.base_path, ADMIN_PATH)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only through the server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop = self._thread = None

    def __enter__(self) -> OTCSEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def inventory(self) -> dict[str, Any]:
        return inventory(self.state.repo)

    def request_counters(self) -> dict[str, dict[str, Any]]:
        return self.state.counters.snapshot()

    def reset_counters(self) -> None:
        self.state.counters.reset()

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Replace the fault settings (see `FaultSettings`); no arguments clears them."""
        self.state.faults.configure(settings)
        return self.state.faults.describe()

    def reset(self) -> None:
        """Restore the seeded repository, e.g. between demo runs."""
        reset_repository(self.state)

    def expire_tickets(self) -> int:
        return self.state.tickets.expire_all()

    def startup_info(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "username": self.username,
            "password": self.password,
            "admin_url": self.admin_url,
        }
