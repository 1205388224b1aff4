"""Nodes: create, read, browse, update, move, delete, name validation (reference §5)."""

from __future__ import annotations

import math
import re
from typing import Any

from aiohttp import web

from sandbox.otcs import categories, records, uploads
from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import (
    CREATABLE_TYPES,
    DOCUMENT,
    TYPE_NAMES,
    Node,
    Repository,
    Version,
)
from sandbox.otcs.transport import (
    ApiError,
    UploadedFile,
    edit_conflict,
    json_response,
    paginate,
    v2_collection,
    v2_item,
)

FIELD_SPEC = re.compile(r"^(\w+)(?:\{([^}]*)\})?$")


def size_formatted(size: int) -> str:
    return f"{size} Bytes" if size < 1024 else f"{math.ceil(size / 1024)} KB"


def properties(repo: Repository, node: Node) -> dict[str, Any]:
    """The v2 `properties` object (S4, S10 field names)."""
    latest = node.latest
    size = latest and len(latest.data)
    props: dict[str, Any] = {
        "id": node.id,
        "name": node.name,
        "name_multilingual": {"en": node.name},
        "type": node.type,
        "type_name": TYPE_NAMES.get(node.type, "Unknown"),
        "parent_id": node.parent_id,
        "volume_id": repo.volume_id(node),
        "description": node.description,
        "description_multilingual": {"en": node.description},
        "create_date": node.create_date,
        "create_user_id": node.owner_user_id,
        "modify_date": node.modify_date,
        "modify_user_id": node.owner_user_id,
        "owner": node.owner_user_id,
        "owner_user_id": node.owner_user_id,
        "owner_group_id": 1001,
        "container": node.is_container,
        "container_size": len(node.children),
        "size": size if latest else len(node.children),
        "size_formatted": size_formatted(size) if latest else f"{len(node.children)} Items",
        "mime_type": latest.mime_type if latest else None,
        "reserved": False,
        "reserved_user_id": 0,
        "reserved_date": None,
        "hidden": False,
        "favorite": False,
        "permissions_model": "advanced",
        "versionable": node.type == DOCUMENT,
        "advanced_versioning": False,
        "versions_control_advanced": False,
        "status": None,
    }
    props.update(node.extra)
    if node.workspace is not None:
        props["wnf_wksp_type_id"] = node.workspace["wksp_type_id"]
        props["wnf_wksp_template_id"] = node.workspace["template_id"]
    return props


def _field_filters(call: Call) -> dict[str, set[str] | None] | None:
    """`fields=properties{id,name}` → {"properties": {"id","name"}}; None = everything."""
    specs = call.params.multi.getall("fields", [])
    if not specs:
        return None
    filters: dict[str, set[str] | None] = {}
    for spec in specs:
        match = FIELD_SPEC.match(spec.strip())
        if match is None:
            raise ApiError(400, f"Invalid value for parameter 'fields': {spec}")
        section, keys = match.groups()
        filters[section] = {k.strip() for k in keys.split(",")} if keys else None
    return filters


def _expansions(call: Call) -> set[str]:
    expanded: set[str] = set()
    for spec in call.params.multi.getall("expand", []):
        match = FIELD_SPEC.match(spec.strip())
        if match and match.group(1) == "properties" and match.group(2):
            expanded.update(k.strip() for k in match.group(2).split(","))
    return expanded


def _actions(call: Call, node: Node) -> dict[str, Any]:
    available = ["open", "properties", "delete", "move", "rename", "addcategory"]
    if node.type == DOCUMENT:
        available += ["download", "addversion"]
    requested = [a for a in call.params.multi.getall("actions", []) if a] or available
    base = call.request.path.rsplit("/nodes/", 1)[0]
    data = {
        action: {
            "body": "",
            "content_type": "",
            "form_href": "",
            "href": f"{base}/nodes/{node.id}",
            "method": "GET",
            "name": action.title(),
        }
        for action in requested
        if action in available
    }
    return {"data": data, "map": {"default_action": "open"}, "order": list(data)}


def v2_result(call: Call, node: Node) -> dict[str, Any]:
    """One node as a v2 result, honouring `fields`, `expand`, `actions`, `metadata`, `state`."""
    repo = call.repo
    props = properties(repo, node)
    for key in _expansions(call):
        target = repo.nodes.get(props.get(key)) if isinstance(props.get(key), int) else None
        if target is not None:
            props[f"{key}_expand"] = properties(repo, target)
    filters = _field_filters(call)
    data: dict[str, Any] = {}
    if filters is None or "properties" in filters:
        keys = filters.get("properties") if filters else None
        data["properties"] = {k: v for k, v in props.items() if keys is None or k in keys}
    if filters is not None and "versions" in filters and node.latest is not None:
        data["versions"] = version_info(node, node.latest)
    if filters is not None and "categories" in filters:
        data["categories"] = [dict(values) for values in node.categories.values()]
    result: dict[str, Any] = {"data": data}
    if "actions" in call.params:
        result["actions"] = _actions(call, node)
    if "metadata" in call.params:
        meta = {k: {"key": k, "name": k.replace("_", " ").title()} for k in props}
        result["metadata"] = {"properties": meta}
        result["metadata_order"] = {"properties": list(meta)}
    if "state" in call.params:
        result["state"] = {"properties": {"metadata_token": node.metadata_token}}
    return result


def node_response(call: Call, node: Node) -> web.Response:
    with call.repo.lock:
        if call.version == 2:
            return v2_item(call.request, v2_result(call, node))
        return json_response(
            {
                "data": properties(call.repo, node),
                "definitions": {},
                "type": node.type,
                "type_name": TYPE_NAMES.get(node.type, "Unknown"),
                "available_actions": [{"type": a} for a in _actions(call, node)["order"]],
                "addable_types": [{"type": t} for t in sorted(CREATABLE_TYPES)]
                if node.is_container
                else [],
            }
        )


def collision_status(call: Call) -> int:
    """Name collisions are 400 on v1 and 500 on v2 (S1; pyxecm matches the 500)."""
    return 400 if call.version == 1 else 500


def uploaded_file(call: Call) -> UploadedFile | None:
    upload = call.params.files.get("file")
    if upload is None and call.version == 2 and call.params.get("upload_key"):
        upload = uploads.take(call.state, call.params.text("upload_key"))
    return upload


def apply_roles(call: Call, node: Node) -> None:
    roles = call.params.get("roles")
    if not roles:
        return
    if not isinstance(roles, dict):
        raise ApiError(400, "The 'roles' parameter must be an object")
    if roles.get("categories"):
        categories.apply_roles(call.repo, node, roles["categories"])
    if roles.get("rmclassifications"):
        records.apply_role(call.repo, node, roles["rmclassifications"])


EXTERNAL_FIELDS = (
    "external_create_date",
    "external_modify_date",
    "external_source",
    "external_identity",
    "external_identity_type",
)


def create_node(call: Call) -> web.Response:
    params = call.params
    node_type = params.int("type", required=True)
    parent_id = params.int("parent_id", required=True)
    name = params.text("name")
    if not name.strip():
        raise ApiError(400, "Missing required parameter 'name'")
    if node_type not in CREATABLE_TYPES:
        raise ApiError(400, f"Subtype {node_type} not registered")
    assert parent_id is not None
    upload = uploaded_file(call) if node_type == DOCUMENT else None
    if node_type == DOCUMENT and upload is None:
        if call.version == 2 and params.get("upload_key"):
            raise ApiError(500, "Error: File could not be found within the upload directory.")
        raise ApiError(400, "Missing required parameter 'file'")
    repo = call.repo
    extra = {k: params.get(k) for k in EXTERNAL_FIELDS if params.get(k) is not None}
    with repo.lock:
        node = repo.add(
            parent_id,
            name,
            node_type,
            user_id=call.user.id,
            collision_status=collision_status(call),
            description=params.text("description"),
            extra=extra,
        )
        try:
            if upload is not None:
                repo.add_version(node, upload, params.text("description"))
            apply_roles(call, node)
        except ApiError:
            repo.discard(node)
            raise
    if call.version == 1:
        return json_response({"id": node.id})
    return node_response(call, node)


def get_node(call: Call) -> web.Response:
    return node_response(call, call.node(status=400))


def _sort_key(field: str) -> Any:
    def key(node: Node) -> Any:
        if field == "name":
            return node.name.lower()
        if field == "size":
            return len(node.latest.data) if node.latest else len(node.children)
        return getattr(node, field, node.name)

    return key


def _sorted(items: list[Node], sort: str) -> list[Node]:
    if not sort:
        return sorted(items, key=lambda n: (not n.is_container, n.name.lower()))
    descending = sort.startswith(("desc_", "-"))
    field = sort.removeprefix("asc_").removeprefix("desc_").lstrip("-")
    if field not in {"name", "id", "type", "size", "create_date", "modify_date"}:
        raise ApiError(400, f"Invalid value for parameter 'sort': {sort}")
    return sorted(items, key=_sort_key(field), reverse=descending)


def _type_filter(node: Node, where_types: list[int]) -> bool:
    """-1 containers, -2 everything searchable, -3 non-containers, else a subtype (S1)."""
    if not where_types:
        return True
    for wanted in where_types:
        if wanted == -2 or (wanted == -1 and node.is_container):
            return True
        if (wanted == -3 and not node.is_container) or wanted == node.type:
            return True
    return False


def list_children(call: Call) -> web.Response:
    """Browse; `where_name` is a case-insensitive substring match (choice, see package doc)."""
    repo = call.repo
    params = call.params
    parent = call.node()
    where_name = params.text("where_name").lower()
    where_types = params.int_list("where_type")
    sort = params.text("sort")
    with repo.lock:
        items = [
            n
            for n in repo.children(parent)
            if where_name in n.name.lower() and _type_filter(n, where_types)
        ]
        page = paginate(_sorted(items, sort), params)
        if call.version == 2:
            results = [v2_result(call, n) for n in page.items]
            return v2_collection(call.request, results, page, sort or None)
        return json_response(
            {
                "data": [properties(repo, n) for n in page.items],
                "definitions": {},
                "definitions_map": {},
                "definitions_order": [],
                **page.counters(),
                "sort": sort,
                "where_name": params.text("where_name"),
                "where_type": where_types,
            }
        )


def update_node(call: Call) -> web.Response:
    repo = call.repo
    params = call.params
    node = call.node(status=400)
    with repo.lock:
        token = params.get("metadata_token")
        if token and token != node.metadata_token:
            raise edit_conflict()
        parent_id = params.int("parent_id")
        if params.get("name") is not None or parent_id is not None:
            repo.rename_or_move(node, params.get("name"), parent_id, collision_status(call))
        if params.get("description") is not None:
            node.description = params.text("description")
        apply_roles(call, node)
        node.touch()
    return node_response(call, node)


def delete_node(call: Call) -> web.Response:
    repo = call.repo
    repo.delete(call.node())
    if call.version == 1:
        return json_response({})
    return v2_item(call.request, {})


def version_info(node: Node, version: Version) -> dict[str, Any]:
    extension = version.file_name.rsplit(".", 1)[-1] if "." in version.file_name else ""
    return {
        "id": node.id,
        "version_id": node.id * 1000 + version.number,
        "version_number": version.number,
        "version_number_major": 0,
        "version_number_minor": version.number,
        "version_number_name": str(version.number),
        "file_name": version.file_name,
        "file_size": len(version.data),
        "file_type": extension,
        "mime_type": version.mime_type,
        "create_date": version.create_date,
        "modify_date": version.create_date,
        "owner_id": node.owner_user_id,
        "locked": False,
        "description": version.description,
    }


def list_volumes(call: Call) -> web.Response:
    """Top-level containers (Enterprise Workspace, Categories, file plan, ...)."""
    with call.repo.lock:
        volumes = sorted(
            (n for n in call.repo.nodes.values() if n.parent_id == -1), key=lambda n: n.id
        )
        results = [v2_result(call, n) for n in volumes]
    return json_response({"links": {}, "results": results})


def validate_names(call: Call) -> web.Response:
    """Pre-check: only the colliding names come back (S1, S4)."""
    parent_id = call.params.int("parent_id", required=True)
    assert parent_id is not None
    call.repo.get(parent_id, status=400)
    results = []
    for name in call.params.list("names"):
        existing = call.repo.child_named(parent_id, str(name))
        if existing is not None:
            results.append({"id": existing.id, "name": existing.name})
    return json_response({"results": results})


NODE = "/nodes/{id:\\d+}"
ROUTES = [
    Route("POST", "/nodes", create_node),
    Route("GET", NODE, get_node),
    Route("PUT", NODE, update_node),
    Route("DELETE", NODE, delete_node),
    Route("GET", NODE + "/nodes", list_children),
    Route("POST", "/validation/nodes/names", validate_names),
    Route("GET", "/volumes", list_volumes, versions=(2,)),
]
