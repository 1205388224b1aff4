"""Inspection (inventory, counters) and runtime faults, via Python and the admin HTTP API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import PDF, Api


@pytest.fixture
def faulty(emulator: OTCSEmulator) -> Iterator[OTCSEmulator]:
    """The shared emulator, with faults always cleared afterwards."""
    yield emulator
    emulator.set_faults()


def test_inventory_exports_every_detail(api: Api, emulator: OTCSEmulator, folder: int) -> None:
    doc = api.document(folder, "inv.pdf", PDF, roles={"categories": {"9100_1": {}}})
    api.post(f"/v1/nodes/{doc}/rmclassifications", data={"class_id": 3020, "official": "true"})
    form = {"type": "AUDIT", "name": f"audit-{doc}", "date_applied": "2026-01-01"}
    hold = api.ok(api.post("/v1/holds", data=form))["holdID"]
    api.ok(api.post(f"/v1/nodes/{folder}/holds", data={"hold_id": hold}))
    over_http = requests.get(emulator.admin_url + "/inventory", timeout=10).json()
    assert over_http == emulator.inventory()
    nodes = {n["id"]: n for n in over_http["nodes"]}
    entry = nodes[doc]
    assert entry["path"].startswith("Enterprise Workspace/folder-") and entry["path"].endswith(
        "/inv.pdf"
    )
    assert (entry["sha256"], entry["size"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert entry["categories"]["9100"]["name"] == "Commerce Record"
    assert entry["classification"]["official"] is True
    assert entry["holds"][0]["hold_appliedmethod"] == "Inherited"
    assert entry["creation_order"] > nodes[folder]["creation_order"]
    assert nodes[2000]["seeded"] is True and entry["seeded"] is False


def test_request_counters(api: Api, emulator: OTCSEmulator) -> None:
    emulator.reset_counters()
    api.get("/v2/nodes/2000")
    api.get("/v2/nodes/99999999")
    counters = emulator.request_counters()
    assert counters["GET /v2/nodes/{id}"] == {"count": 2, "status": {"200": 1, "400": 1}}
    assert requests.get(emulator.admin_url + "/counters", timeout=10).json() == counters
    requests.delete(emulator.admin_url + "/counters", timeout=10)
    assert emulator.request_counters() == {}


def test_error_rate_and_route_filter(api: Api, faulty: OTCSEmulator) -> None:
    faulty.set_faults(error_rate=1.0, error_status=503, routes=["GET /v2/nodes/{id}"])
    failed = api.get("/v2/nodes/2000")
    assert (failed.status_code, failed.json()) == (503, {"error": "Injected server error"})
    assert api.get("/v1/nodes/2000").status_code == 200


def test_html_error_page(api: Api, faulty: OTCSEmulator) -> None:
    requests.put(faulty.admin_url + "/faults", json={"html_error_rate": 1.0}, timeout=10)
    response = api.get("/v2/nodes/2000")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    requests.delete(faulty.admin_url + "/faults", timeout=10)
    assert api.get("/v2/nodes/2000").headers["Content-Type"].startswith("application/json")


def test_connection_reset(api: Api, faulty: OTCSEmulator) -> None:
    faulty.set_faults(reset_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.get("/v2/nodes/2000")
    faulty.set_faults()
    assert api.get("/v2/nodes/2000").status_code == 200


def test_latency_and_slow_uploads_still_serve(api: Api, faulty: OTCSEmulator, folder: int) -> None:
    faulty.set_faults(latency_min_ms=1, latency_max_ms=5, upload_bytes_per_s=10_000_000, seed=7)
    assert api.document(folder)
    assert faulty.state.faults.describe()["latency_max_ms"] == 5


def test_invalid_fault_settings_are_rejected(faulty: OTCSEmulator) -> None:
    response = requests.put(faulty.admin_url + "/faults", json={"error_rate": 2}, timeout=10)
    assert response.status_code == 400
    with pytest.raises(ValueError, match="unknown fault"):
        faulty.set_faults(explode=True)


def test_faults_do_not_touch_the_admin_api(faulty: OTCSEmulator) -> None:
    faulty.set_faults(error_rate=1.0)
    assert requests.get(faulty.admin_url + "/faults", timeout=10).json()["error_rate"] == 1.0


def test_reset_restores_the_seed() -> None:
    with OTCSEmulator(password="pw") as own:
        api = Api(own).login()
        seeded = len(own.inventory()["nodes"])
        api.folder(2000, "temporary")
        assert len(own.inventory()["nodes"]) == seeded + 1
        assert requests.post(own.admin_url + "/reset", timeout=10).json() == {"nodes": seeded}
        assert (
            api.get("/v1/nodes/2000/nodes", params={"where_name": "temporary"}).json()[
                "total_count"
            ]
            == 0
        )
        api.folder(2000, "another")
        own.reset()
        assert all(n["seeded"] for n in own.inventory()["nodes"])
