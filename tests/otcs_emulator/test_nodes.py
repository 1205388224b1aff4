"""Nodes: envelopes, browse, update/move, delete, versions, content, collisions, uploads."""

from __future__ import annotations

import hashlib
import json

import pytest

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import PDF, Api

NO_ACCESS = (
    "Sorry, the item you requested could not be accessed. Either it does not exist "
    "or you do not have permission to access it."
)


def props(api: Api, node_id: int, **params: str) -> dict:
    return api.ok(api.get(f"/v2/nodes/{node_id}", params=params))["results"]["data"]["properties"]


def test_create_folder_envelopes(api: Api, folder: int) -> None:
    v1 = api.ok(api.post("/v1/nodes", data={"type": 0, "parent_id": folder, "name": "v1"}))
    assert set(v1) == {"id"}
    v2 = api.ok(api.post("/v2/nodes", data={"type": 0, "parent_id": folder, "name": "v2"}))
    created = v2["results"]["data"]["properties"]
    assert (created["name"], created["type"], created["parent_id"]) == ("v2", 0, folder)
    assert created["container"] is True


def test_document_upload_and_download(api: Api, emulator: OTCSEmulator, folder: int) -> None:
    doc = api.document(folder, "invoice-1.pdf", PDF)
    response = api.get(f"/v2/nodes/{doc}/content")
    assert response.content == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert 'filename="invoice-1.pdf"' in response.headers["Content-Disposition"]
    download = api.get(f"/v1/nodes/{doc}/content", params={"action": "download"})
    assert download.headers["Content-Type"] == "application/octet-stream"
    entry = next(n for n in emulator.inventory()["nodes"] if n["id"] == doc)
    assert entry["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entry["size"] == len(PDF)


def test_document_without_file_is_refused(api: Api, folder: int) -> None:
    response = api.post("/v1/nodes", data={"type": 144, "parent_id": folder, "name": "a.pdf"})
    assert response.status_code == 400
    assert response.json() == {"error": "Missing required parameter 'file'"}


def test_get_node_v1_and_v2_fields_expand(api: Api, folder: int) -> None:
    doc = api.document(folder, "x.pdf")
    v1 = api.ok(api.get(f"/v1/nodes/{doc}"))
    assert (v1["type"], v1["data"]["id"], v1["data"]["mime_type"]) == (144, doc, "application/pdf")
    narrow = api.ok(
        api.get(
            f"/v2/nodes/{doc}",
            params={"fields": "properties{id,name,parent_id}", "expand": "properties{parent_id}"},
        )
    )["results"]["data"]["properties"]
    assert set(narrow) == {"id", "name", "parent_id"}
    full = props(api, doc, expand="properties{parent_id}")
    assert full["parent_id_expand"]["id"] == folder


def test_v2_state_actions_metadata(api: Api, folder: int) -> None:
    results = api.ok(
        api.get(f"/v2/nodes/{folder}", params={"state": "", "metadata": "", "actions": "delete"})
    )["results"]
    assert results["state"]["properties"]["metadata_token"]
    assert list(results["actions"]["data"]) == ["delete"]
    assert "name" in results["metadata"]["properties"]


def test_browse_filters_sort_and_paging(api: Api, folder: int) -> None:
    for name in ("beta", "alpha", "gamma"):
        api.folder(folder, name)
    api.document(folder, "alpha-report.pdf")
    page = api.ok(
        api.get(f"/v2/nodes/{folder}/nodes", params={"sort": "desc_name", "limit": 2, "page": 1})
    )
    names = [r["data"]["properties"]["name"] for r in page["results"]]
    assert names == ["gamma", "beta"]
    paging = page["collection"]["paging"]
    assert (paging["total_count"], paging["page_total"], paging["range_max"]) == (4, 2, 2)
    assert "next" in paging["links"]["data"]
    assert page["collection"]["sorting"]["sort"] == [{"key": "sort", "value": "desc_name"}]
    by_name = api.ok(api.get(f"/v2/nodes/{folder}/nodes", params={"where_name": "ALPHA"}))
    assert {r["data"]["properties"]["name"] for r in by_name["results"]} == {
        "alpha",
        "alpha-report.pdf",
    }
    docs = api.ok(api.get(f"/v1/nodes/{folder}/nodes", params={"where_type": 144}))
    assert [d["name"] for d in docs["data"]] == ["alpha-report.pdf"]
    assert docs["total_count"] == 1
    containers = api.ok(api.get(f"/v1/nodes/{folder}/nodes", params={"where_type": -1}))
    assert containers["total_count"] == 3


def test_rename_and_move(api: Api, folder: int) -> None:
    target = api.folder(folder, "target")
    doc = api.document(folder, "a.pdf")
    api.ok(api.put(f"/v2/nodes/{doc}", data={"body": json.dumps({"name": "b.pdf"})}))
    api.ok(api.put(f"/v1/nodes/{doc}", data={"parent_id": target}))
    moved = props(api, doc)
    assert (moved["name"], moved["parent_id"]) == ("b.pdf", target)


def test_stale_node_metadata_token_conflicts(api: Api, folder: int) -> None:
    token = api.ok(api.get(f"/v2/nodes/{folder}", params={"state": ""}))["results"]["state"]
    api.ok(api.put(f"/v2/nodes/{folder}", data={"description": "first"}))
    stale = api.put(
        f"/v2/nodes/{folder}",
        data={"description": "second", "metadata_token": token["properties"]["metadata_token"]},
    )
    assert (stale.status_code, stale.json()) == (
        409,
        {"error": "Could not update metadata (edit conflict)."},
    )


def test_delete_v1_and_v2(api: Api, folder: int) -> None:
    a, b = api.folder(folder), api.folder(folder)
    assert api.ok(api.delete(f"/v1/nodes/{a}")) == {}
    assert api.ok(api.delete(f"/v2/nodes/{b}"))["results"] == {}
    assert api.get(f"/v1/nodes/{a}").status_code == 400


def test_versions_add_list_latest(api: Api, folder: int) -> None:
    doc = api.document(folder, "v.pdf", b"one")
    added = api.post(f"/v1/nodes/{doc}/versions", files={"file": ("v.pdf", b"two", "text/plain")})
    assert api.ok(added) == {"id": doc, "version_number": 2}
    api.ok(api.post(f"/v2/nodes/{doc}/versions", files={"file": ("v.pdf", b"three", "a/b")}))
    listed = api.ok(api.get(f"/v2/nodes/{doc}/versions"))["results"]
    assert [v["data"]["versions"]["version_number"] for v in listed] == [1, 2, 3]
    assert [v["file_size"] for v in api.ok(api.get(f"/v1/nodes/{doc}/versions"))["data"]] == [
        3,
        3,
        5,
    ]
    latest = api.ok(api.get(f"/v1/nodes/{doc}/versions/latest"))["data"]
    assert latest["version_number"] == 3
    assert api.get(f"/v1/nodes/{doc}/content").content == b"three"
    assert api.get(f"/v1/nodes/{doc}/versions/1/content").content == b"one"
    missing = api.post(f"/v1/nodes/{doc}/versions", data={"description": "no file"})
    assert missing.json() == {"error": "Missing required parameter 'File'"}


def test_name_validation_lists_only_collisions(api: Api, folder: int) -> None:
    existing = api.folder(folder, "taken")
    body = json.dumps({"parent_id": folder, "names": ["taken", "free"]})
    result = api.ok(api.post("/v1/validation/nodes/names", data={"body": body}))
    assert result == {"results": [{"id": existing, "name": "taken"}]}


def test_name_collisions_v1_400_v2_500(api: Api, folder: int) -> None:
    api.folder(folder, "dup")
    form = {"type": 0, "parent_id": folder, "name": "dup"}
    v1 = api.post("/v1/nodes", data=form)
    v2 = api.post("/v2/nodes", data=form)
    assert (v1.status_code, v1.json()) == (
        400,
        {"error": "An item with the name 'dup' already exists"},
    )
    assert (v2.status_code, v2.json()) == (
        500,
        {"error": "An item with the name 'dup' already exists."},
    )
    other = api.folder(folder, "other")
    rename = api.put(f"/v2/nodes/{other}", data={"name": "DUP"})
    assert rename.status_code == 500


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/v1/nodes/{id}", 400, "Could not get a node for {id}"),
        ("GET", "/v2/nodes/{id}", 400, "Could not get a node for {id}"),
        ("GET", "/v2/nodes/{id}/nodes", 500, "Could not get a node for {id}"),
        ("DELETE", "/v1/nodes/{id}", 500, "Could not get a node for {id}"),
        ("GET", "/v2/nodes/{id}/content", 500, NO_ACCESS),
    ],
)
def test_missing_nodes(api: Api, method: str, path: str, status: int, message: str) -> None:
    missing = 99999999
    response = api.request(method, path.format(id=missing))
    assert (response.status_code, response.json()) == (
        status,
        {"error": message.format(id=missing)},
    )


def test_chunked_upload(api: Api, emulator: OTCSEmulator, folder: int) -> None:
    emulator.state.uploads.part_size = 1000
    try:
        data = bytes(range(256)) * 10
        settings = api.ok(api.get("/v2/multipart/settings"))["results"]["data"]
        assert settings["is_enabled"] is True
        started = api.ok(
            api.post(
                "/v2/multipart",
                data={"file_name": "big.bin", "file_size": len(data), "mime_type": "x/y"},
            )
        )["results"]["data"]
        key, size = started["upload_key"], started["part_size"]
        assert started["num_parts"] == 3
        for number in range(1, 4):
            chunk = data[(number - 1) * size : number * size]
            part = {"part_content": ("blob", chunk, "application/octet-stream")}
            api.ok(api.post(f"/v2/multipart/{key}/{number}", files=part))
        api.ok(api.post(f"/v2/multipart/{key}"))
        form = {"type": 144, "parent_id": folder, "name": "big.bin", "upload_key": key}
        node = api.ok(api.post("/v2/nodes", data=form))["results"]["data"]["properties"]
        assert api.get(f"/v2/nodes/{node['id']}/content").content == data
        reused = api.post("/v2/nodes", data={**form, "name": "again.bin"})
        assert reused.status_code == 500
    finally:
        emulator.state.uploads.part_size = 5 * 1024**2


def test_volumes_and_fields_categories(api: Api, folder: int) -> None:
    volumes = api.ok(api.get("/v2/volumes"))["results"]
    names = {v["data"]["properties"]["name"] for v in volumes}
    assert {"Enterprise Workspace", "Content Server Categories", "Classifications"} <= names
    doc = api.document(folder, roles={"categories": {"9100_1": {}, "9100_3": "store-b"}})
    data = api.ok(api.get(f"/v2/nodes/{doc}", params={"fields": ["properties{id}", "categories"]}))
    categories = data["results"]["data"]["categories"]
    assert [c["9100_3"] for c in categories] == ["store-b"]


def test_head_content_reports_length(api: Api, folder: int) -> None:
    doc = api.document(folder, data=PDF)
    response = api.request("HEAD", f"/v2/nodes/{doc}/content")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(PDF))
    assert response.content == b""


def test_non_ascii_file_name_disposition(api: Api, folder: int) -> None:
    doc = api.document(folder, "Rechnung-Größe.pdf")
    disposition = api.get(f"/v2/nodes/{doc}/content").headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''Rechnung-Gr%C3%B6%C3%9Fe.pdf" in disposition
