"""Effective permissions (S1 getNodePermissionEffective) and the admin API that withholds
them and takes seeded pieces away."""

from __future__ import annotations

import requests

from sandbox.otcs import OTCSEmulator
from sandbox.otcs.permissions import PERMISSION_TYPES
from tests.otcs_emulator.conftest import Api

ADMIN_ID = 1000


def test_the_account_holds_every_permission(api: Api) -> None:
    body = api.ok(api.get(f"/v2/nodes/2000/permissions/effective/{ADMIN_ID}"))
    entry = body["results"]["data"]["permissions"]
    assert entry == {"permissions": list(PERMISSION_TYPES), "right_id": ADMIN_ID}
    assert body["links"]["data"]["self"]["href"].endswith(
        f"/v2/nodes/2000/permissions/effective/{ADMIN_ID}"
    )


def test_a_member_the_server_does_not_know_holds_nothing(api: Api) -> None:
    body = api.ok(api.get("/v2/nodes/2000/permissions/effective/4242"))
    assert body["results"]["data"]["permissions"]["permissions"] == []


def test_unknown_node_and_v1_path(api: Api) -> None:
    missing = api.get(f"/v2/nodes/999999/permissions/effective/{ADMIN_ID}")
    assert missing.status_code == 500
    assert missing.json()["error"].startswith("Sorry, the item you requested could not be")
    v1 = api.get(f"/v1/nodes/2000/permissions/effective/{ADMIN_ID}")
    assert v1.status_code == 400
    assert "mappings registry" in v1.json()["error"]


def test_needs_a_ticket(emulator: OTCSEmulator) -> None:
    url = f"{emulator.base_url}/v2/nodes/2000/permissions/effective/{ADMIN_ID}"
    assert requests.get(url, timeout=30).status_code == 401


def test_admin_withholds_and_restores(api: Api, folder: int) -> None:
    admin = api.emulator.admin_url
    path = f"/v2/nodes/{folder}/permissions/effective/{ADMIN_ID}"
    withhold = requests.put(
        f"{admin}/permissions/{folder}", json={"withhold": ["add_items", "delete"]}, timeout=30
    )
    assert withhold.status_code == 200
    held = api.ok(api.get(path))["results"]["data"]["permissions"]["permissions"]
    assert set(PERMISSION_TYPES) - set(held) == {"add_items", "delete"}
    requests.put(f"{admin}/permissions/{folder}", json={"withhold": []}, timeout=30)
    assert len(api.ok(api.get(path))["results"]["data"]["permissions"]["permissions"]) == 10


def test_admin_removals_refuse_what_is_not_there(emulator: OTCSEmulator) -> None:
    admin = emulator.admin_url
    for path in (
        "/rsis/NO-SUCH-RSI",
        "/workspace-types/NOTHING",
        "/categories/9100/attributes/No Such Attribute",
        "/categories/1/attributes/SHA-256",
        "/nodes/999999",
    ):
        response = requests.delete(admin + path, timeout=30)
        assert response.status_code == 404, path
        assert response.json()["error"]
    bad = requests.put(f"{admin}/permissions/2000", json={"nothing": 1}, timeout=30)
    assert bad.status_code == 400
