"""Fixtures: one shared emulator per session, a logged-in wire-level client per test.

`Api` is deliberately thin (requests + base URL + ticket): the tests assert the
HTTP contract of the emulator, so they must not lean on the pipeline's client.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from sandbox.otcs import OTCSEmulator

PDF = b"%PDF-1.7\n" + b"0" * 2048 + b"\n%%EOF\n"
DEADLINE_S = 10.0


def wait_until(
    condition: Callable[[], bool], deadline_s: float = DEADLINE_S, max_interval_s: float = 0.5
) -> None:
    """Poll a condition with a generous deadline instead of sleeping a fixed time.

    The interval backs off exponentially: polling a sliding ticket with a fixed short
    interval would keep it alive forever, and backing off lets the idle gap grow.
    """
    end = time.monotonic() + deadline_s
    interval = 0.02
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not met before the deadline")
        time.sleep(interval)
        interval = min(interval * 2, max_interval_s)


class Api:
    def __init__(self, emulator: OTCSEmulator) -> None:
        self.emulator = emulator
        self.base = emulator.base_url
        self.session = requests.Session()
        self.ticket = ""

    def login(self) -> Api:
        response = self.session.post(
            f"{self.base}/v1/auth",
            data={"username": self.emulator.username, "password": self.emulator.password},
        )
        assert response.status_code == 200, response.text
        self.ticket = response.json()["ticket"]
        self.session.headers["OTCSTicket"] = self.ticket
        return self

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code == 200, f"{response.status_code} {response.text}"
        return response.json()

    def folder(self, parent_id: int, name: str | None = None) -> int:
        body = {"type": 0, "parent_id": parent_id, "name": name or unique("folder")}
        return self.ok(self.post("/v1/nodes", data={"body": json.dumps(body)}))["id"]

    def document(
        self, parent_id: int, name: str | None = None, data: bytes = PDF, **body: Any
    ) -> int:
        payload = {"type": 144, "parent_id": parent_id, "name": name or unique("doc") + ".pdf"}
        files = {"file": (payload["name"], data, "application/pdf")}
        response = self.post(
            "/v1/nodes", data={"body": json.dumps({**payload, **body})}, files=files
        )
        return self.ok(response)["id"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def emulator() -> Iterator[OTCSEmulator]:
    with OTCSEmulator(password="secret-pw") as running:
        yield running


@pytest.fixture
def api(emulator: OTCSEmulator) -> Iterator[Api]:
    client = Api(emulator).login()
    yield client
    client.session.close()


@pytest.fixture
def folder(api: Api) -> int:
    """A fresh folder under the Enterprise Workspace, so tests never share children."""
    return api.folder(2000)
