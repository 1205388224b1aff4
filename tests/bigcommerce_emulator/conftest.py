"""Fixtures for the BigCommerce emulator contract tests: a shared seeded store, fresh
stores for tests that mutate global state, an authenticated session, and a webhook
receiver on a free loopback port."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from sandbox.bigcommerce import BigCommerceEmulator

SEED_ORDERS = 400
# Upper bound for paging loops, so a paging regression fails instead of hanging.
MAX_PAGES = 200


class Api(requests.Session):
    """A session rooted at the store's base URL with the store token."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.headers.update({"X-Auth-Token": token, "Accept": "application/json"})

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.base_url + url, *args, **kwargs)


@pytest.fixture(scope="session")
def emulator() -> Iterator[BigCommerceEmulator]:
    """Shared, unlimited-quota store; tests that need a pristine store make their own."""
    with BigCommerceEmulator(orders=SEED_ORDERS, seed=7, quota=None) as emu:
        yield emu


@pytest.fixture
def api(emulator: BigCommerceEmulator) -> Iterator[Api]:
    with Api(emulator.base_url, emulator.access_token) as session:
        yield session


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., BigCommerceEmulator]]:
    """Start extra emulators with custom settings; all are stopped at teardown."""
    started: list[BigCommerceEmulator] = []

    def make(**kwargs: Any) -> BigCommerceEmulator:
        kwargs.setdefault("orders", 30)
        emu = BigCommerceEmulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


class Receiver:
    """Records webhook deliveries; answers with `status` (changeable at runtime)."""

    def __init__(self) -> None:
        self.status = 200
        self.deliveries: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.deliveries.append(
                    {
                        "headers": dict(self.headers),
                        "raw": body,
                        "json": json.loads(body),
                        "path": self.path,
                    }
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def scopes(self) -> list[str]:
        return [d["json"]["scope"] for d in self.deliveries]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.close()
