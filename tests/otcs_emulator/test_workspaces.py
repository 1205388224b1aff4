"""Business workspaces: types, create, search by business object, filing documents."""

from __future__ import annotations

import json

from tests.otcs_emulator.conftest import Api, unique

ORDER_TYPE = 501


def create(api: Api, bo_id: str, **extra: object) -> int:
    body = {"wksp_type_id": ORDER_TYPE, "bo_type": "ORDER", "bo_id": bo_id,
            "ext_system_id": "BigCommerce", **extra}  # fmt: skip
    response = api.post("/v2/businessworkspaces", data={"body": json.dumps(body)})
    return api.ok(response)["results"]["id"]


def test_types_with_templates(api: Api) -> None:
    results = api.ok(api.get("/v2/businessworkspacetypes"))["results"]
    by_name = {r["data"]["properties"]["wksp_type_name"]: r["data"] for r in results}
    assert set(by_name) == {
        "Order",
        "Customer Case",
        "Product",
        "Campaign",
        "Recall",
        "Storefront Disclosures",
        "Change Request",
    }
    order = by_name["Order"]
    assert order["properties"]["wksp_type_id"] == ORDER_TYPE
    assert order["properties"]["rm_enabled"] is True
    assert order["templates"][0]["subtype"] == 848
    filtered = api.ok(api.get("/v2/businessworkspacetypes", params={"bo_type": "RECALL"}))
    assert [r["data"]["properties"]["wksp_type_id"] for r in filtered["results"]] == [505]


def test_create_returns_id_and_instantiates_template(api: Api) -> None:
    bo_id = unique("order")
    workspace = create(api, bo_id)
    props = api.ok(api.get(f"/v2/nodes/{workspace}"))["results"]["data"]["properties"]
    assert (props["type"], props["name"], props["parent_id"]) == (848, f"Order {bo_id}", 2100)
    children = api.ok(api.get(f"/v1/nodes/{workspace}/nodes", params={"limit": 50}))["data"]
    assert {"Invoices", "Credit Notes", "Fulfilment", "Tax"} <= {c["name"] for c in children}


def test_search_by_business_object_uses_top_level_paging(api: Api) -> None:
    bo_id = unique("order")
    workspace = create(api, bo_id, name=f"Custom {bo_id}")
    params = {"where_ext_system_id": "BigCommerce", "where_bo_type": "ORDER", "where_bo_id": bo_id}
    found = api.ok(api.get("/v2/businessworkspaces", params=params))
    assert [r["data"]["properties"]["id"] for r in found["results"]] == [workspace]
    assert found["paging"]["total_count"] == 1
    assert "collection" not in found
    none = api.ok(api.get("/v2/businessworkspaces", params={**params, "where_bo_id": "nope"}))
    assert none["results"] == [] and none["paging"]["total_count"] == 0
    direct = api.ok(api.get(f"/v2/externalsystems/BigCommerce/botypes/ORDER/boids/{bo_id}"))
    assert [r["data"]["properties"]["id"] for r in direct["results"]] == [workspace]
    named = api.ok(
        api.get("/v2/businessworkspaces", params={"where_name": f"startswith_Custom {bo_id}"})
    )
    assert [r["data"]["properties"]["id"] for r in named["results"]] == [workspace]


def test_get_workspace_and_workspace_of_node(api: Api) -> None:
    bo_id = unique("case")
    body = {"template_id": 2202, "bo_type": "CASE", "bo_id": bo_id}
    workspace = api.ok(api.post("/v2/businessworkspaces", json=body))["results"]["id"]
    data = api.ok(api.get(f"/v2/businessworkspaces/{workspace}"))["results"]["data"]
    assert data["business_properties"]["workspace_type_name"] == "Customer Case"
    assert data["workspace_references"] == [
        {"ext_system_id": "BigCommerce", "bo_type": "CASE", "bo_id": bo_id}
    ]
    refunds = api.ok(api.get(f"/v2/nodes/{workspace}/nodes", params={"where_name": "Refunds"}))[
        "results"
    ][0]["data"]["properties"]["id"]
    doc = api.document(refunds)
    owner = api.ok(api.get(f"/v1/nodes/{doc}/businessworkspace"))
    assert owner == {"id": workspace, "isLinked": True, "type": 848, "workspace_type_id": 502}
    assert api.get("/v1/nodes/2000/businessworkspace").status_code == 400


def test_duplicate_business_object_and_name_clash(api: Api) -> None:
    bo_id = unique("order")
    create(api, bo_id)
    again = api.post("/v2/businessworkspaces", data={"wksp_type_id": ORDER_TYPE, "bo_id": bo_id})
    assert again.status_code == 400
    clash = api.post(
        "/v2/businessworkspaces", data={"wksp_type_id": ORDER_TYPE, "name": f"Order {bo_id}"}
    )
    assert (clash.status_code, clash.json()) == (
        500,
        {"error": f"An item with the name 'Order {bo_id}' already exists."},
    )


def test_roles_categories_nested_on_create(api: Api) -> None:
    bo_id = unique("order")
    roles = {"categories": {"9100": {"9100_1": {}, "9100_3": "store-a", "9100_25": bo_id}}}
    workspace = create(api, bo_id, roles=roles)
    values = api.ok(api.get(f"/v2/nodes/{workspace}/categories"))["results"][0]["data"]
    assert values["categories"]["9100_25"] == bo_id


def test_missing_type_is_refused(api: Api) -> None:
    response = api.post("/v2/businessworkspaces", data={"name": "x"})
    assert response.json() == {"error": "Missing required parameter 'template_id'"}


def test_where_name_contains_forms(api: Api) -> None:
    bo_id = unique("order")
    workspace = create(api, bo_id)
    for where_name in (f"contains_{bo_id}", bo_id.upper(), f"startswith_order {bo_id}"):
        found = api.ok(api.get("/v2/businessworkspaces", params={"where_name": where_name}))
        assert [r["data"]["properties"]["id"] for r in found["results"]] == [workspace], where_name
    missing = api.get("/v2/businessworkspaces", params={"where_name": f"startswith_{bo_id}"})
    assert api.ok(missing)["results"] == []


def test_related_workspaces_are_kept_on_both_sides_once(api: Api) -> None:
    order = create(api, unique("order"))
    body = {"template_id": 2202, "bo_type": "CASE", "bo_id": unique("case")}
    case = api.ok(api.post("/v2/businessworkspaces", data={"body": json.dumps(body)}))
    case_id = case["results"]["id"]
    relation = {"rel_bw_id": order, "rel_type": "parent"}
    path = f"/v2/businessworkspaces/{case_id}/relateditems"
    api.ok(api.post(path, data={"body": json.dumps(relation)}))
    again = api.post(path, data={"body": json.dumps(relation)})
    assert again.status_code == 400 and "already related" in again.json()["error"]
    related = api.ok(api.get(path))
    assert [(r["data"]["properties"]["id"], r["data"]["rel_type"]) for r in related["results"]] == [
        (order, "parent")
    ]
    assert related["paging"]["total_count"] == 1
    other_side = api.ok(api.get(f"/v2/businessworkspaces/{order}/relateditems"))
    assert [r["data"]["rel_type"] for r in other_side["results"]] == ["child"]
    children = api.ok(api.get(path, params={"where_relationtype": "child"}))
    assert children["results"] == []
    folder = api.ok(api.get(f"/v1/nodes/{order}/nodes"))["data"][0]["id"]
    refused = api.post(path, data={"body": json.dumps({"rel_bw_id": folder, "rel_type": "child"})})
    assert refused.status_code == 400


def test_recall_workspace_carries_the_recall_category(api: Api) -> None:
    """A Recall workspace (type 505, `<store>-RCL-<id>`) is created with the Recall
    category: identifiers (multi-valued), sold window, hazard, remedy, decision."""
    bo_id = unique("store") + "-RCL-1"
    roles = {
        "categories": {
            "9500": {
                "9500_2": bo_id,
                "9500_3": ["SKU-1", "SKU-2"],
                "9500_10": ["4000000000017"],
                "9500_12": ["LOT-7"],
                "9500_13": "2026-11-01",
                "9500_15": "Overheats",
                "9500_17": "open",
            }
        }
    }
    body = {"wksp_type_id": 505, "bo_type": "RECALL", "bo_id": bo_id,
            "ext_system_id": "BigCommerce", "roles": roles}  # fmt: skip
    response = api.post("/v2/businessworkspaces", data={"body": json.dumps(body)})
    workspace = api.ok(response)["results"]["id"]
    props = api.ok(api.get(f"/v2/nodes/{workspace}"))["results"]["data"]["properties"]
    assert props["name"] == f"Recall {bo_id}"
    values = api.ok(api.get(f"/v2/nodes/{workspace}/categories"))["results"][0]["data"]
    assert values["categories"]["9500_3"][:2] == ["SKU-1", "SKU-2"]
    assert values["categories"]["9500_17"] == "open"
    children = api.ok(api.get(f"/v1/nodes/{workspace}/nodes", params={"limit": 50}))["data"]
    assert {"Recall Notices", "Affected Orders"} <= {c["name"] for c in children}
