"""Users and groups (`/v2/members`), per-user tickets, and the node audit trail that says
who created a node and who changed its categories (`/v2/nodes/{id}/audit`)."""

from __future__ import annotations

import json

import requests

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import Api, unique

CHANGE_REQUEST_TYPE = 510
CHANGE_REQUEST_CATEGORY = 9750


def login(emulator: OTCSEmulator, name: str, password: str) -> Api:
    api = Api(emulator)
    answer = api.session.post(
        f"{api.base}/v1/auth", data={"username": name, "password": password}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    api.ticket = answer.json()["ticket"]
    api.session.headers["OTCSTicket"] = api.ticket
    return api


def test_users_and_groups_as_pyxecm_reads_them(api: Api) -> None:
    name = unique("maker")
    created = api.ok(
        api.post(
            "/v2/members",
            data={
                "type": 0,
                "name": name,
                "password": "pw-1",
                "first_name": "Mia",
                "last_name": "Maker",
            },
        )
    )["results"]["data"]["properties"]
    assert (created["type"], created["type_name"], created["name"]) == (0, "User", name)
    group = api.ok(api.post("/v2/members", data={"type": 1, "name": unique("finance")}))
    group_id = group["results"]["data"]["properties"]["id"]
    api.ok(api.post(f"/v2/members/{group_id}/members", data={"member_id": created["id"]}))
    found = api.ok(api.get("/v2/members", params={"where_type": 0, "where_name": name.upper()}))
    assert [r["data"]["properties"]["id"] for r in found["results"]] == [created["id"]]
    assert found["collection"]["paging"]["total_count"] == 1
    members = api.ok(api.get(f"/v2/members/{group_id}/members", params={"where_type": 0}))
    assert [r["data"]["properties"]["name"] for r in members["results"]] == [name]
    one = api.ok(api.get(f"/v2/members/{created['id']}"))["results"]["data"]["properties"]
    assert one["name_formatted"] == "Mia Maker"
    assert api.get("/v2/members/999999").status_code == 400
    assert api.post("/v2/members", data={"type": 1, "name": name}).status_code == 400
    api.ok(api.delete(f"/v2/members/{group_id}/members/{created['id']}"))
    after = api.ok(api.get(f"/v2/members/{group_id}/members", params={"where_type": 0}))
    assert after["results"] == []


def test_each_user_gets_a_ticket_of_their_own(emulator: OTCSEmulator) -> None:
    name = unique("checker")
    user_id = emulator.add_user(name, "pw-2", "Cy", "Checker")
    checker = login(emulator, name, "pw-2")
    me = checker.ok(checker.get("/v1/auth"))["data"]
    assert (me["id"], me["name"]) == (user_id, name)
    wrong = requests.post(
        f"{emulator.base_url}/v1/auth", data={"username": name, "password": "no"}, timeout=30
    )
    assert wrong.status_code == 401


def test_audit_records_creator_and_category_changes_per_user(
    api: Api, emulator: OTCSEmulator
) -> None:
    maker_name, checker_name = unique("maker"), unique("checker")
    maker_id = emulator.add_user(maker_name, "pw-m")
    checker_id = emulator.add_user(checker_name, "pw-c")
    maker, checker = login(emulator, maker_name, "pw-m"), login(emulator, checker_name, "pw-c")
    body = {"wksp_type_id": CHANGE_REQUEST_TYPE, "bo_type": "CHANGE_REQUEST",
            "bo_id": unique("CR"), "ext_system_id": "BigCommerce"}  # fmt: skip
    created = maker.ok(maker.post("/v2/businessworkspaces", data={"body": json.dumps(body)}))
    workspace = created["results"]["id"]
    props = maker.ok(maker.get(f"/v2/nodes/{workspace}"))["results"]["data"]["properties"]
    assert props["parent_id"] == 2120
    cat = CHANGE_REQUEST_CATEGORY
    maker.ok(maker.post(f"/v2/nodes/{workspace}/categories",
                        data={"category_id": cat, f"{cat}_13": "requested"}))  # fmt: skip
    checker.ok(checker.put(f"/v2/nodes/{workspace}/categories/{cat}",
                           data={f"{cat}_8": "approved"}))  # fmt: skip
    audit = api.ok(api.get(f"/v2/nodes/{workspace}/audit"))
    entries = audit["results"]["data"]["audit"]
    assert [(e["event_type"], e["user_id"]) for e in entries] == [
        (10, checker_id),
        (10, maker_id),
        (1, maker_id),
    ]
    assert entries[-1]["audit_name"] == "Create" and entries[-1]["id"] == workspace
    assert {t["id"] for t in audit["results"]["data"]["audit_event_types"]} == {1, 10}
    assert audit["collection"]["paging"]["total_count"] == 3
    oldest_first = api.ok(api.get(f"/v2/nodes/{workspace}/audit",
                                  params={"sort": "asc_audit_date", "where_type": 10}))  # fmt: skip
    assert [e["user_id"] for e in oldest_first["results"]["data"]["audit"]] == [
        maker_id,
        checker_id,
    ]
    by_user = api.ok(api.get(f"/v2/nodes/{workspace}/audit", params={"where_user_id": checker_id}))
    assert len(by_user["results"]["data"]["audit"]) == 1
    assert api.get("/v2/nodes/99999999/audit").status_code == 400
    assert api.get(f"/v2/nodes/{workspace}/audit", params={"sort": "x"}).status_code == 400
