"""Business workspaces: types with templates, create, find by business object, and
relations between workspaces (reference §8, `relateditems`).

A workspace is a container node (848) carrying its business-object link; documents
are filed into it (or its template folders) with ordinary `POST /v2/nodes`. A relation
is kept on both sides: `rel_type` child on one is parent on the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.otcs import categories, nodes, records
from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import BUSINESS_WORKSPACE, Node, Repository
from sandbox.otcs.transport import (
    ApiError,
    json_response,
    paginate,
    self_links,
    to_int,
    v2_item,
)


def _type_properties(repo: Repository, wtype: dict[str, Any]) -> dict[str, Any]:
    location = repo.nodes.get(wtype["location_id"])
    return {
        "wksp_type_id": wtype["id"],
        "wksp_type_name": wtype["name"],
        "wksp_type_icon": "",
        "rm_enabled": True,
        "ext_system_id": wtype["ext_system_id"],
        "bo_type": wtype["bo_type"],
        "bo_type_id": wtype["bo_type_id"],
        "wksp_creation": {
            "location": wtype["location_id"],
            "location_name": location.name if location else "",
            "name_pattern": wtype["name_pattern"],
        },
    }


def _type_result(call: Call, wtype: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"properties": _type_properties(call.repo, wtype)}
    if call.params.bool("expand_templates", True):
        template = call.repo.nodes[wtype["template_id"]]
        data["templates"] = [{"id": template.id, "name": template.name, "subtype": 848}]
    return {"data": data}


def list_types(call: Call) -> web.Response:
    ext_system = call.params.text("ext_system_id")
    bo_type = call.params.text("bo_type")
    with call.repo.lock:
        results = [
            _type_result(call, t)
            for t in call.repo.workspace_types.values()
            if (not ext_system or t["ext_system_id"] == ext_system)
            and (not bo_type or t["bo_type"] == bo_type)
        ]
    return json_response({"links": self_links(call.request), "results": results})


def get_type(call: Call) -> web.Response:
    wtype = call.repo.workspace_types.get(call.match_int("type_id"))
    if wtype is None:
        raise ApiError(400, f"Workspace type {call.match('type_id')} does not exist")
    return v2_item(call.request, _type_result(call, wtype))


def _resolve_type(call: Call) -> dict[str, Any]:
    """Type from `wksp_type_id`, `template_id`, `bo_type_id` or `bo_type`+`ext_system_id` (S3)."""
    params = call.params
    types = call.repo.workspace_types.values()
    candidates = [
        ("wksp_type_id", lambda t, v: t["id"] == to_int(v, "wksp_type_id")),
        ("template_id", lambda t, v: t["template_id"] == to_int(v, "template_id")),
        ("bo_type_id", lambda t, v: t["bo_type_id"] == to_int(v, "bo_type_id")),
        (
            "bo_type",
            lambda t, v: (
                t["bo_type"] == v
                and t["ext_system_id"] == params.text("ext_system_id", t["ext_system_id"])
            ),
        ),
    ]
    for key, matches in candidates:
        value = params.get(key)
        if value not in (None, ""):
            found = next((t for t in types if matches(t, value)), None)
            if found is None:
                raise ApiError(400, f"Invalid value for parameter '{key}'")
            return found
    raise ApiError(400, "Missing required parameter 'template_id'")


def _copy_template(repo: Repository, source: Node, target: Node, user_id: int) -> None:
    for child in repo.children(source):
        copy = repo.add(target.id, child.name, child.type, user_id=user_id)
        _copy_template(repo, child, copy, user_id)


def find_workspaces(repo: Repository, filters: dict[str, Any]) -> list[Node]:
    """Workspaces whose link matches every non-empty filter, oldest first."""
    wanted = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    with repo.lock:
        found = [
            node
            for node in repo.workspaces()
            if all(str((node.workspace or {}).get(k)) == v for k, v in wanted.items())
        ]
    return sorted(found, key=lambda n: n.created_seq)


def create_workspace(call: Call) -> web.Response:
    params = call.params
    repo = call.repo
    with repo.lock:
        wtype = _resolve_type(call)
        bo_id = params.text("bo_id")
        link = {
            "wksp_type_id": wtype["id"],
            "template_id": wtype["template_id"],
            "ext_system_id": params.text("ext_system_id") or wtype["ext_system_id"],
            "bo_type": wtype["bo_type"],
            "bo_id": bo_id or None,
        }
        if bo_id and find_workspaces(
            repo, {k: link[k] for k in ("ext_system_id", "bo_type", "bo_id")}
        ):
            raise ApiError(
                400, f"A business workspace already exists for {link['bo_type']} '{bo_id}'."
            )
        name = params.text("name") or wtype["name_pattern"].format(bo_id=bo_id or "")
        node = repo.add(
            params.int("parent_id") or wtype["location_id"],
            name,
            BUSINESS_WORKSPACE,
            user_id=call.user.id,
            collision_status=500,
            description=params.text("description"),
            workspace=link,
        )
        try:
            _copy_template(repo, repo.nodes[wtype["template_id"]], node, call.user.id)
            roles = params.get("roles") or {}
            if roles.get("categories"):
                categories.apply_roles(repo, node, roles["categories"])
            if roles.get("rmclassifications"):
                records.apply_role(repo, node, roles["rmclassifications"])
        except ApiError:
            repo.discard(node)
            raise
    return v2_item(call.request, {"direct_open": True, "id": node.id, "sub_folder_id": 0})


def _name_matcher(where_name: str) -> Callable[[str], bool]:
    """`startswith_X`, `contains_X` or a bare `X` (contains), case-insensitive (S3)."""
    mode, _, text = where_name.partition("_")
    if mode == "startswith":
        return lambda name: name.startswith(text.lower())
    needle = (text if mode == "contains" else where_name).lower()
    return lambda name: needle in name


def _listing(call: Call, filters: dict[str, Any]) -> web.Response:
    """BW search: `results[]` with top-level `paging` (S3, S7), not `collection.paging`."""
    found = find_workspaces(call.repo, filters)
    where_name = call.params.text("where_name")
    if where_name:
        matches = _name_matcher(where_name)
        found = [n for n in found if matches(n.name.lower())]
    page = paginate(found, call.params)
    with call.repo.lock:
        results = [{"data": {"properties": nodes.properties(call.repo, n)}} for n in page.items]
    return json_response(
        {"links": self_links(call.request), "paging": page.counters(), "results": results}
    )


def search_workspaces(call: Call) -> web.Response:
    params = call.params
    return _listing(
        call,
        {
            "ext_system_id": params.text("where_ext_system_id"),
            "bo_type": params.text("where_bo_type"),
            "bo_id": params.text("where_bo_id"),
            "wksp_type_id": params.text("where_workspace_type_id"),
        },
    )


def by_business_object(call: Call) -> web.Response:
    return _listing(
        call,
        {
            "ext_system_id": call.match("ext_system"),
            "bo_type": call.match("bo_type"),
            "bo_id": call.match("bo_id"),
        },
    )


def _workspace(call: Call) -> Node:
    node = call.node(status=400)
    if node.workspace is None:
        raise ApiError(400, f"The node {node.id} is not a business workspace")
    return node


def get_workspace(call: Call) -> web.Response:
    node = _workspace(call)
    link = node.workspace
    assert link is not None
    wtype = call.repo.workspace_types[link["wksp_type_id"]]
    with call.repo.lock:
        props = {**nodes.properties(call.repo, node), "rm_enabled": True}
    reference = {k: link[k] for k in ("ext_system_id", "bo_type", "bo_id")}
    return v2_item(
        call.request,
        {
            "data": {
                "properties": props,
                "business_properties": {
                    "workspace_type_id": wtype["id"],
                    "workspace_type_name": wtype["name"],
                    "isEarly": link["bo_id"] is None,
                    **reference,
                },
                "workspace_references": [reference] if link["bo_id"] else [],
            }
        },
    )


def workspace_of_node(call: Call) -> web.Response:
    """Nearest workspace at or above the node; 400 when there is none (choice)."""
    repo = call.repo
    node = call.node(status=400)
    with repo.lock:
        for candidate in [node, *repo.ancestors(node)]:
            if candidate.workspace is not None:
                return json_response(
                    {
                        "id": candidate.id,
                        "isLinked": candidate.workspace["bo_id"] is not None,
                        "type": BUSINESS_WORKSPACE,
                        "workspace_type_id": candidate.workspace["wksp_type_id"],
                    }
                )
    raise ApiError(400, f"The node {node.id} is not inside a business workspace")


RELATION_INVERSE = {"child": "parent", "parent": "child"}


def relations(node: Node) -> list[dict[str, Any]]:
    """The workspaces related to this one: `{"rel_bw_id", "rel_type"}`."""
    related: list[dict[str, Any]] = node.extra.setdefault("related_workspaces", [])
    return related


def add_related(call: Call) -> web.Response:
    """`rel_bw_id` and `rel_type` (child|parent, S3, S8); a relation already there is a
    400 (the real message is unconfirmed), as a duplicate cross-reference is."""
    node = _workspace(call)
    related_id = call.params.int("rel_bw_id", required=True)
    rel_type = call.params.text("rel_type") or "child"
    if rel_type not in RELATION_INVERSE:
        raise ApiError(400, "Invalid value for parameter 'rel_type'")
    repo = call.repo
    with repo.lock:
        assert related_id is not None
        other = repo.get(related_id, status=400)
        if other.workspace is None or other is node:
            raise ApiError(400, f"The node {related_id} is not a business workspace")
        if any(r["rel_bw_id"] == related_id for r in relations(node)):
            raise ApiError(400, "The workspaces are already related")
        relations(node).append({"rel_bw_id": related_id, "rel_type": rel_type})
        relations(other).append({"rel_bw_id": node.id, "rel_type": RELATION_INVERSE[rel_type]})
    return v2_item(call.request, {"rel_bw_id": related_id, "rel_type": rel_type})


def list_related(call: Call) -> web.Response:
    """Related workspaces as a BW listing (`results[]`, top-level `paging`), optionally
    of one relation type (`where_relationtype`)."""
    node = _workspace(call)
    wanted = call.params.text("where_relationtype")
    repo = call.repo
    with repo.lock:
        rows = [r for r in relations(node) if not wanted or r["rel_type"] == wanted]
        page = paginate(rows, call.params)
        results = [
            {
                "data": {
                    "properties": nodes.properties(repo, repo.nodes[r["rel_bw_id"]]),
                    "rel_type": r["rel_type"],
                }
            }
            for r in page.items
        ]
    return json_response(
        {"links": self_links(call.request), "paging": page.counters(), "results": results}
    )


ROUTES = [
    Route("GET", "/businessworkspacetypes", list_types, versions=(2,)),
    Route("GET", "/businessworkspacetypes/{type_id:\\d+}", get_type),
    Route("POST", "/businessworkspaces", create_workspace, versions=(2,), accept_json=True),
    Route("GET", "/businessworkspaces", search_workspaces, versions=(2,)),
    Route("GET", "/businessworkspaces/{id:\\d+}", get_workspace, versions=(2,)),
    Route("GET", "/businessworkspaces/{id:\\d+}/relateditems", list_related, versions=(2,)),
    Route(
        "POST",
        "/businessworkspaces/{id:\\d+}/relateditems",
        add_related,
        versions=(2,),
        accept_json=True,
    ),
    Route(
        "GET",
        "/externalsystems/{ext_system}/botypes/{bo_type}/boids/{bo_id}",
        by_business_object,
        versions=(2,),
    ),
    Route("GET", "/nodes/{id:\\d+}/businessworkspace", workspace_of_node, versions=(1,)),
]
