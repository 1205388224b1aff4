"""Holds: create/list/get, apply/remove, inheritance, and holds blocking deletion."""

from __future__ import annotations

from tests.otcs_emulator.conftest import Api, unique


def create_hold(api: Api, **extra: str) -> int:
    form = {"type": "LEGAL", "name": unique("hold"), "date_applied": "2026-01-15", **extra}
    return api.ok(api.post("/v1/holds", data=form))["holdID"]


def test_create_list_and_get(api: Api) -> None:
    name = unique("litigation")
    hold_id = create_hold(api, name=name, comment="Case 42")
    v1 = api.ok(api.get("/v1/holds"))["data"]
    assert {"HoldID": hold_id, "HoldName": name, "ActiveHold": True} in v1
    v2 = api.ok(api.get("/v2/holds", params={"limit": 500}))
    row = next(h for h in v2["results"]["data"]["holds"] if h["HoldID"] == hold_id)
    assert (row["HoldType"], row["HoldComment"], row["ActiveHold"]) == ("LEGAL", "Case 42", 1)
    assert v2["collection"]["paging"]["total_count"] >= 1
    by_id = api.ok(api.get("/v2/hold", params={"id": hold_id}))["results"]["data"]["hold"]
    by_name = api.ok(api.get("/v2/hold", params={"holdname": name}))["results"]["data"]["hold"]
    assert by_id == by_name
    assert api.ok(api.get(f"/v2/holds/{hold_id}"))["results"]["data"]["hold"]["HoldName"] == name


def test_create_errors(api: Api) -> None:
    name = unique("dup")
    create_hold(api, name=name)
    duplicate = api.post(
        "/v1/holds", data={"type": "LEGAL", "name": name, "date_applied": "2026-01-01"}
    )
    assert duplicate.json() == {"error": "Could not insert into the Hold Disposition table"}
    missing = api.post("/v1/holds", data={"type": "LEGAL", "name": unique("x")})
    assert missing.status_code == 400


def test_hold_blocks_deletion_until_removed(api: Api, folder: int) -> None:
    doc = api.document(folder)
    hold_id = create_hold(api)
    api.ok(api.post(f"/v1/nodes/{doc}/holds", data={"hold_id": hold_id}))
    refused = api.delete(f"/v1/nodes/{doc}")
    assert refused.status_code == 400
    assert "under hold" in refused.json()["error"]
    version = api.post(f"/v2/nodes/{doc}/versions", files={"file": ("a.pdf", b"x", "a/pdf")})
    assert version.status_code == 400
    assert api.delete(f"/v1/nodes/{folder}").status_code == 400
    assert api.delete(f"/v1/holds/{hold_id}").json() == {"error": "Hold may not exist or is in use"}
    api.ok(api.delete(f"/v1/nodes/{doc}/holds/{hold_id}"))
    again = api.delete(f"/v1/nodes/{doc}/holds/{hold_id}")
    assert again.json() == {"error": "Object does not have this Hold"}
    assert api.ok(api.delete(f"/v1/nodes/{doc}")) == {}
    assert api.ok(api.delete(f"/v1/holds/{hold_id}")) == {}


def test_hold_on_folder_is_inherited(api: Api, folder: int) -> None:
    sub = api.folder(folder)
    doc = api.document(sub)
    hold_id = create_hold(api)
    api.ok(api.post(f"/v1/nodes/{folder}/holds", data={"body": f'{{"hold_id": {hold_id}}}'}))
    rows = api.ok(api.get(f"/v1/nodes/{doc}/holds"))["data"]
    assert [(r["hold_id"], r["hold_appliedmethod"], r["removable"]) for r in rows] == [
        (hold_id, "Inherited", False)
    ]
    assert api.delete(f"/v2/nodes/{doc}").status_code == 400
    other = api.folder(2000)
    assert api.put(f"/v2/nodes/{doc}", data={"parent_id": other}).status_code == 400
    assert api.delete(f"/v1/nodes/{doc}/holds/{hold_id}").status_code == 400
    api.ok(api.delete(f"/v1/nodes/{folder}/holds/{hold_id}"))
    assert api.ok(api.delete(f"/v2/nodes/{doc}"))["results"] == {}


def test_batch_apply_and_remove(api: Api, folder: int) -> None:
    docs = [api.document(folder) for _ in range(3)]
    hold_id = create_hold(api)
    ids = ",".join(map(str, docs))
    api.ok(api.post("/v1/rmclassifications/applyhold", data={"ids": ids, "holdID": hold_id}))
    items = api.ok(api.get(f"/v2/holditems/{hold_id}"))["results"]["data"]["items"]
    assert sorted(i["id"] for i in items) == sorted(docs)
    assert all(api.delete(f"/v1/nodes/{d}").status_code == 400 for d in docs)
    api.ok(api.post("/v1/rmclassifications/removehold", data={"ids": ids, "holdID": hold_id}))
    assert all(api.delete(f"/v1/nodes/{d}").status_code == 200 for d in docs)


def test_apply_requires_a_hold_id(api: Api, folder: int) -> None:
    response = api.post(f"/v1/nodes/{folder}/holds")
    assert response.json() == {"error": "Missing LLPARAMS_LIST"}


def test_update_and_delete_by_name(api: Api) -> None:
    name = unique("upd")
    hold_id = create_hold(api, name=name)
    api.ok(api.put("/v1/holds", data={"id": hold_id, "comment": "changed"}))
    assert api.ok(api.get(f"/v2/holds/{hold_id}"))["results"]["data"]["hold"]["HoldComment"] == (
        "changed"
    )
    api.ok(api.delete("/v2/hold", params={"holdname": name}))
    assert api.get("/v2/hold", params={"id": hold_id}).status_code == 400
