"""Concurrency: racing creators of one name — exactly one wins, the other sees a collision."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import PDF, Api, unique

ROUNDS = 15


def race(
    emulator: OTCSEmulator, send: Callable[[Api], requests.Response]
) -> list[requests.Response]:
    """Run `send` from two clients released together by a barrier."""
    clients = [Api(emulator).login(), Api(emulator).login()]
    barrier = threading.Barrier(2)

    def go(client: Api) -> requests.Response:
        barrier.wait(timeout=10)
        return send(client)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(go, clients))


@pytest.mark.parametrize("version", [1, 2])
def test_same_document_name_in_same_folder(
    emulator: OTCSEmulator, folder: int, version: int
) -> None:
    collision_status = 400 if version == 1 else 500
    for _ in range(ROUNDS):
        name = unique("race") + ".pdf"
        body = json.dumps({"type": 144, "parent_id": folder, "name": name})

        def send(client: Api, body: str = body, name: str = name) -> requests.Response:
            files = {"file": (name, PDF, "application/pdf")}
            return client.post(f"/v{version}/nodes", data={"body": body}, files=files)

        responses = race(emulator, send)
        statuses = sorted(r.status_code for r in responses)
        assert statuses == sorted([200, collision_status])
        loser = next(r for r in responses if r.status_code != 200)
        assert "already exists" in loser.json()["error"]
    children = Api(emulator).login().get(f"/v1/nodes/{folder}/nodes", params={"limit": 100})
    assert children.json()["total_count"] == ROUNDS


def test_same_business_object_workspace(emulator: OTCSEmulator) -> None:
    for _ in range(ROUNDS):
        bo_id = unique("order")

        def send(client: Api, bo_id: str = bo_id) -> requests.Response:
            return client.post("/v2/businessworkspaces", data={"wksp_type_id": 501, "bo_id": bo_id})

        statuses = sorted(r.status_code for r in race(emulator, send))
        assert statuses[0] == 200 and statuses[1] in {400, 500}
        found = (
            Api(emulator)
            .login()
            .get("/v2/businessworkspaces", params={"where_bo_type": "ORDER", "where_bo_id": bo_id})
        )
        assert found.json()["paging"]["total_count"] == 1
