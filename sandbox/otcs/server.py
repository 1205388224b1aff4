"""`OTCSEmulator`: the server on its own event loop in a background thread.

Tests and the benchmark start it in-process; the CLI wraps the same class, so both
paths serve identical behaviour.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from sandbox.otcs.admin import inventory, reset_repository
from sandbox.otcs.app import build_app
from sandbox.otcs.auth import Credentials, TicketStore, User
from sandbox.otcs.context import EmulatorState, UploadSettings
from sandbox.otcs.directory import ADMIN_USER_ID
from sandbox.otcs.faults import Faults
from sandbox.otcs.seed import build_repository
from sandbox.threaded_server import ThreadedServer

ADMIN_PATH = "/otcs-admin"


class OTCSEmulator(ThreadedServer):
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
        super().__init__(host, port)
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

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.base_path

    @property
    def admin_url(self) -> str:
        return self.origin + ADMIN_PATH

    thread_name = "otcs-emulator"

    async def build_app(self) -> web.Application:
        return build_app(self.state, self.base_path, ADMIN_PATH)

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

    def add_user(self, name: str, password: str, first_name: str = "", last_name: str = "") -> int:
        """A user who logs in with their own password and ticket (and is audited as such)."""
        return self.state.credentials.members.add_user(name, password, first_name, last_name).id

    def add_group(self, name: str, member_ids: tuple[int, ...] = ()) -> int:
        members = self.state.credentials.members
        group = members.add_group(name)
        for member_id in member_ids:
            members.add_member(group.id, member_id)
        return group.id

    def expire_tickets(self) -> int:
        return self.state.tickets.expire_all()

    def startup_info(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "username": self.username,
            "password": self.password,
            "admin_url": self.admin_url,
        }
