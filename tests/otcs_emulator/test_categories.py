"""Categories: roles on create (nested/flat), read v1/v2, sets, multi-values, tokens."""

from __future__ import annotations

import json

from tests.otcs_emulator.conftest import Api, unique

CAT = 9100


def categories_v2(api: Api, node: int, **params: str) -> list[dict]:
    return api.ok(api.get(f"/v2/nodes/{node}/categories", params=params))["results"]


def test_roles_categories_nested_on_v1_create(api: Api, folder: int) -> None:
    roles = {"categories": {str(CAT): {f"{CAT}_1": {}, f"{CAT}_3": "store42", f"{CAT}_9": "19.5"}}}
    doc = api.document(folder, roles=roles)
    values = categories_v2(api, doc)[0]["data"]["categories"]
    assert values[f"{CAT}_3"] == "store42"
    assert values[f"{CAT}_9"] == 19.5
    assert values[f"{CAT}_15"] == []
    listed = api.ok(api.get(f"/v1/nodes/{doc}/categories"))
    assert listed["data"] == [{"id": CAT, "name": "Commerce Record"}]


def test_roles_categories_flat_on_v2_create(api: Api, folder: int) -> None:
    body = {
        "type": 0,
        "parent_id": folder,
        "name": unique("f"),
        "roles": {
            "categories": {f"{CAT}_1": {}, f"{CAT}_10": "2024-02-29", f"{CAT}_15": ["101", "102"]}
        },
    }
    node = api.ok(api.post("/v2/nodes", data={"body": json.dumps(body)}))
    node_id = node["results"]["data"]["properties"]["id"]
    values = api.ok(api.get(f"/v2/nodes/{node_id}/categories/{CAT}/"))["results"]["data"][
        "categories"
    ]
    assert values[f"{CAT}_10"] == "2024-02-29T00:00:00"
    assert values[f"{CAT}_15"] == ["101", "102"]


def test_apply_read_update_delete(api: Api, folder: int) -> None:
    doc = api.document(folder)
    applied = api.post(
        f"/v1/nodes/{doc}/categories", data={"category_id": CAT, f"{CAT}_2": "BigCommerce"}
    )
    assert api.ok(applied)["data"][f"{CAT}_2"] == "BigCommerce"
    again = api.post(f"/v2/nodes/{doc}/categories", data={"category_id": CAT})
    assert again.json() == {"error": "The attribute group 'Commerce Record' already exists"}
    update = {f"{CAT}_20_1_21": "SKU-1", f"{CAT}_20_2_21": "SKU-2", f"{CAT}_20_2_22": "3"}
    api.ok(api.put(f"/v2/nodes/{doc}/categories/{CAT}/", data={"body": json.dumps(update)}))
    values = categories_v2(api, doc)[0]["data"]["categories"]
    assert (values[f"{CAT}_20_2_21"], values[f"{CAT}_20_2_22"]) == ("SKU-2", 3)
    api.ok(api.put(f"/v1/nodes/{doc}/categories/{CAT}", data={f"{CAT}_20_1": ""}))
    values = categories_v2(api, doc)[0]["data"]["categories"]
    assert values[f"{CAT}_20_1_21"] == "SKU-2"
    assert f"{CAT}_20_2_21" not in values
    api.ok(api.delete(f"/v2/nodes/{doc}/categories/{CAT}/"))
    assert categories_v2(api, doc) == []


def test_multi_value_sparse_array(api: Api, folder: int) -> None:
    doc = api.document(folder, roles={"categories": {f"{CAT}_1": {}}})
    body = json.dumps({f"{CAT}_15": ["", "", "ORDER-3"]})
    api.ok(api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={"body": body}))
    values = categories_v2(api, doc)[0]["data"]["categories"]
    assert values[f"{CAT}_15"] == [None, None, "ORDER-3"]


def test_stale_metadata_token_is_409(api: Api, folder: int) -> None:
    doc = api.document(folder, roles={"categories": {f"{CAT}_1": {}}})
    token = categories_v2(api, doc, state="")[0]["state"]["categories"]["metadata_token"]
    first = {f"{CAT}_1": {"metadata_token": token}, f"{CAT}_6": "1001"}
    api.ok(api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={"body": json.dumps(first)}))
    second = {f"{CAT}_1": {"metadata_token": token}, f"{CAT}_6": "1002"}
    stale = api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={"body": json.dumps(second)})
    assert (stale.status_code, stale.json()) == (
        409,
        {"error": "Could not update metadata (edit conflict)."},
    )
    assert categories_v2(api, doc)[0]["data"]["categories"][f"{CAT}_6"] == "1001"


def test_invalid_keys_are_refused(api: Api, folder: int) -> None:
    doc = api.document(folder, roles={"categories": {f"{CAT}_1": {}}})
    foreign = api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={"9200_2": "x"})
    assert foreign.status_code == 400
    assert "non-matching attribute ('9200_2')" in foreign.json()["error"]
    unknown = api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={f"{CAT}_99": "x"})
    assert unknown.status_code == 400
    bad_int = api.put(f"/v2/nodes/{doc}/categories/{CAT}", data={f"{CAT}_20_1_22": "many"})
    assert bad_int.status_code == 400


def test_metadata_describes_attributes(api: Api, folder: int) -> None:
    doc = api.document(folder, roles={"categories": {f"{CAT}_1": {}}})
    result = categories_v2(api, doc, metadata="")[0]
    meta = result["metadata"]["categories"]
    assert meta[f"{CAT}_11"]["name"] == "SHA-256"
    assert meta[f"{CAT}_15"]["multi_value"] is True
    assert meta[f"{CAT}_20_1_21"]["name"] == "SKU"
    form = api.ok(api.get("/v1/forms/nodes/categories/create", params={"category_id": CAT}))
    assert form["forms"][0]["schema"]["properties"][f"{CAT}_3"]["title"] == "Store Hash"


def test_category_definitions_are_nodes(api: Api) -> None:
    children = api.ok(api.get("/v2/nodes/2006/nodes"))["results"]
    names = {c["data"]["properties"]["name"]: c["data"]["properties"]["id"] for c in children}
    assert names["Commerce Record"] == CAT
    assert {"Customer Case", "Approval", "Policy Version", "Recall", "Campaign"} <= set(names)


def test_category_inheritance_passes_values_to_new_items(api: Api, folder: int) -> None:
    api.ok(api.post(f"/v2/nodes/{folder}/categories", data={"category_id": CAT, f"{CAT}_3": "s9"}))
    assert categories_v2(api, folder)[0]["inheritance"] is False
    before = api.document(folder)
    enabled = api.post(f"/v2/nodes/{folder}/categories/{CAT}/inheritance")
    assert api.ok(enabled)["results"] == {}
    assert categories_v2(api, folder)[0]["inheritance"] is True
    doc = api.document(folder)
    sub = api.folder(folder)
    deeper = api.document(sub, roles={"categories": {f"{CAT}_1": {}, f"{CAT}_6": "77"}})
    assert categories_v2(api, before) == []
    values = categories_v2(api, doc)[0]["data"]["categories"]
    assert values[f"{CAT}_3"] == "s9"
    assert categories_v2(api, sub)[0]["inheritance"] is True
    nested = categories_v2(api, deeper)[0]["data"]["categories"]
    assert (nested[f"{CAT}_3"], nested[f"{CAT}_6"]) == ("s9", "77")
    one = api.ok(api.get(f"/v2/nodes/{folder}/categories/{CAT}/"))["results"]
    assert one["inheritance"] is True
    api.ok(api.delete(f"/v2/nodes/{folder}/categories/{CAT}/inheritance"))
    assert categories_v2(api, folder)[0]["inheritance"] is False
    assert categories_v2(api, api.document(folder)) == []


def test_category_inheritance_errors(api: Api, folder: int) -> None:
    missing = api.post(f"/v2/nodes/99999999/categories/{CAT}/inheritance")
    assert (missing.status_code, missing.json()) == (
        500,
        {"error": "Could not get a node for 99999999"},
    )
    not_applied = api.delete(f"/v2/nodes/{folder}/categories/9200/inheritance")
    assert (not_applied.status_code, not_applied.json()) == (
        500,
        {"error": "Could not find category ID 9200 on the node"},
    )
    unknown = api.post(f"/v2/nodes/{folder}/categories/424242/inheritance")
    assert unknown.status_code == 500
    doc = api.document(folder, roles={"categories": {f"{CAT}_1": {}}})
    assert api.post(f"/v2/nodes/{doc}/categories/{CAT}/inheritance").status_code == 400
    v1 = api.post(f"/v1/nodes/{folder}/categories/{CAT}/inheritance")
    assert v1.status_code == 400  # a v2-only call: not in v1's mappings registry (S1)
