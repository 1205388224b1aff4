"""Transport: base paths, body merging, envelopes, error shape, suppress_response_codes."""

from __future__ import annotations

import json

import requests

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import Api, unique


def test_ping_needs_no_ticket(emulator: OTCSEmulator) -> None:
    response = requests.get(emulator.base_url + "/v1/ping", timeout=10)
    assert response.status_code == 200
    assert response.json()["rest_api"][0]["version"] == 1


def test_serverinfo_reports_session_expiry(api: Api) -> None:
    sessions = api.ok(api.get("/v1/serverinfo"))["sessions"]
    assert sessions["expire_after_last_request"] is True
    assert sessions["session_inactivity"] == 30 * 60 * 1000


def test_unknown_url_uses_the_mappings_error(api: Api) -> None:
    response = api.get("/v1/no/such/thing")
    assert response.status_code == 400
    assert response.json() == {
        "error": "The REST API URL could not be found in the mappings registry"
    }


def test_body_json_is_merged_over_flat_fields(api: Api, folder: int) -> None:
    name = unique("merged")
    body = json.dumps({"parent_id": folder, "name": name})
    created = api.ok(api.post("/v1/nodes", data={"type": 0, "name": "ignored", "body": body}))
    props = api.ok(api.get(f"/v2/nodes/{created['id']}"))["results"]["data"]["properties"]
    assert (props["name"], props["parent_id"], props["type"]) == (name, folder, 0)


def test_json_request_body_is_not_read_on_node_calls(api: Api, folder: int) -> None:
    response = api.post("/v1/nodes", json={"type": 0, "parent_id": folder, "name": "x"})
    assert response.status_code == 400
    assert response.json() == {"error": "Missing required parameter 'type'"}


def test_suppress_response_codes_moves_status_into_body(api: Api) -> None:
    response = api.get("/v1/nodes/987654321", params={"suppress_response_codes": ""})
    assert response.status_code == 200
    assert response.json() == {"error": "Could not get a node for 987654321", "statusCode": 400}


def test_alternative_base_path() -> None:
    with OTCSEmulator(base_path="/otcs/cs/api", password="p") as linux_style:
        assert linux_style.base_url.endswith("/otcs/cs/api")
        api = Api(linux_style).login()
        assert api.ok(api.get("/v2/nodes/2000"))["results"]["data"]["properties"]["id"] == 2000
        wrong = requests.get(linux_style.origin + "/otcs/cs.exe/api/v1/ping", timeout=10)
        assert wrong.status_code == 404


def test_v2_single_object_envelope_uses_objects(api: Api) -> None:
    payload = api.ok(api.get("/v2/nodes/2000"))
    assert isinstance(payload["results"], dict)
    assert isinstance(payload["results"]["data"], dict)
    assert payload["links"]["data"]["self"]["href"].endswith("/v2/nodes/2000")
