"""Category definitions and attribute values (reference §6).

Values are stored flat, exactly as v2 reports them (`{cat}_{attr}`,
`{cat}_{set}_{row}_{attr}`); v1's nested form is only an input/output shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from sandbox.otcs.audit_trail import ATTRIBUTE_VALUE_CHANGED
from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import Node, Repository, new_token
from sandbox.otcs.transport import (
    ApiError,
    edit_conflict,
    json_response,
    to_bool,
    to_int,
    to_iso_date,
    v2_item,
)


@dataclass(frozen=True)
class Attribute:
    id: int
    name: str
    type_name: str = "String"
    multi_value: bool = False
    max_values: int = 1
    required: bool = False
    max_length: int | None = None
    max_rows: int = 1
    children: tuple[Attribute, ...] = ()

    @property
    def is_set(self) -> bool:
        return self.type_name == "Set"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribute:
        children = tuple(cls.from_dict(child) for child in data.get("children", ()))
        values = {k: v for k, v in data.items() if k != "children"}
        return cls(children=children, **values)

    def coerce(self, value: Any, key: str) -> Any:
        if self.multi_value:
            items = value if isinstance(value, list) else [value]
            if len(items) > self.max_values:
                raise ApiError(400, f"Too many values for attribute '{key}'")
            return [self._coerce_one(item, key) for item in items]
        if isinstance(value, list):
            raise ApiError(400, f"Attribute '{key}' does not accept multiple values")
        return self._coerce_one(value, key)

    def _coerce_one(self, value: Any, key: str) -> Any:
        if value is None or value == "":
            return None
        if self.type_name == "Integer":
            return to_int(value, key)
        if self.type_name == "Real":
            try:
                return float(value)
            except (TypeError, ValueError):
                raise ApiError(400, f"Invalid value for attribute '{key}'") from None
        if self.type_name == "Date":
            return to_iso_date(value)
        if self.type_name == "Boolean":
            return to_bool(value)
        text = str(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise ApiError(400, f"The value of attribute '{key}' is too long")
        return text

    def default(self) -> Any:
        return [] if self.multi_value else None


@dataclass(frozen=True)
class CategoryDef:
    id: int
    name: str
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CategoryDef:
        attributes = tuple(Attribute.from_dict(a) for a in data["attributes"])
        return cls(id=data["id"], name=data["name"], attributes=attributes)

    def attribute(self, attr_id: int) -> Attribute | None:
        return next((a for a in self.attributes if a.id == attr_id), None)

    def blank(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for attr in self.attributes:
            if attr.is_set:
                values.update(self._blank_row(attr, 1))
            else:
                values[f"{self.id}_{attr.id}"] = attr.default()
        return values

    def _blank_row(self, set_attr: Attribute, row: int) -> dict[str, Any]:
        return {f"{self.id}_{set_attr.id}_{row}_{c.id}": c.default() for c in set_attr.children}

    def rows(self, values: dict[str, Any], set_attr: Attribute) -> int:
        prefix = f"{self.id}_{set_attr.id}_"
        return max(
            (int(k[len(prefix) :].split("_")[0]) for k in values if k.startswith(prefix)), default=0
        )

    def apply(self, values: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
        """Return new values with `updates` applied, validating every key (all-or-nothing)."""
        result = dict(values)
        for key, value in updates.items():
            if key == f"{self.id}_1" or key.endswith("_multilingual"):
                continue
            self._apply_key(result, key, value)
        return result

    def _apply_key(self, values: dict[str, Any], key: str, value: Any) -> None:
        head, _, rest = key.partition("_")
        if head != str(self.id):
            raise ApiError(
                400,
                f"Category ID '{self.id}' was specified in the request but a non-matching "
                f"attribute ('{key}') was found.",
            )
        parts = rest.split("_")
        if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
            raise ApiError(400, f"Invalid attribute key '{key}'")
        attr = self.attribute(int(parts[0]))
        if attr is None or (attr.is_set != (len(parts) > 1)):
            raise ApiError(400, f"The attribute '{key}' does not exist in category {self.id}")
        if not attr.is_set:
            values[key] = attr.coerce(value, key)
            return
        row = int(parts[1])
        if len(parts) == 2:
            if value not in ("", None):
                raise ApiError(400, f"Set rows are removed with an empty value ('{key}')")
            self._remove_row(values, attr, row)
            return
        child = next((c for c in attr.children if c.id == int(parts[2])), None)
        if child is None or not 1 <= row <= attr.max_rows:
            raise ApiError(400, f"The attribute '{key}' does not exist in category {self.id}")
        for new_row in range(self.rows(values, attr) + 1, row + 1):
            values.update(self._blank_row(attr, new_row))
        values[key] = child.coerce(value, key)

    def _remove_row(self, values: dict[str, Any], attr: Attribute, row: int) -> None:
        rows = self.rows(values, attr)
        if not 1 <= row <= rows:
            raise ApiError(400, f"Set row {row} does not exist")
        kept = [
            {c.id: values[f"{self.id}_{attr.id}_{r}_{c.id}"] for c in attr.children}
            for r in range(1, rows + 1)
            if r != row
        ]
        for r in range(1, rows + 1):
            for c in attr.children:
                values.pop(f"{self.id}_{attr.id}_{r}_{c.id}", None)
        for r, row_values in enumerate(kept, start=1):
            for c_id, v in row_values.items():
                values[f"{self.id}_{attr.id}_{r}_{c_id}"] = v

    def metadata(self) -> dict[str, dict[str, Any]]:
        """Attribute descriptions keyed like the values, as v2 `metadata` reports them."""
        meta: dict[str, dict[str, Any]] = {
            str(self.id): {"key": str(self.id), "name": self.name, "type_name": "Category"}
        }
        for attr in self.attributes:
            key = f"{self.id}_{attr.id}"
            meta[key] = _attr_meta(key, attr)
            for child in attr.children:
                child_key = f"{self.id}_{attr.id}_1_{child.id}"
                meta[child_key] = _attr_meta(child_key, child)
        return meta


def _attr_meta(key: str, attr: Attribute) -> dict[str, Any]:
    return {
        "key": key,
        "name": attr.name,
        "type_name": attr.type_name,
        "multi_value": attr.multi_value,
        "max_value": attr.max_values if attr.multi_value else None,
        "required": attr.required,
        "max_length": attr.max_length,
        "persona": "",
        "rows": attr.max_rows if attr.is_set else None,
    }


def definition(repo: Repository, category_id: int) -> CategoryDef:
    defn = repo.category_defs.get(category_id)
    if defn is None:
        raise ApiError(400, f"Category {category_id} could not be found")
    return defn


def _group_by_category(values: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Accept v1 nested (`{"9100": {"9100_2": ..}}`) and v2 flat (`{"9100_2": ..}`) forms."""
    grouped: dict[int, dict[str, Any]] = {}
    for key, value in values.items():
        if key.isdigit() and isinstance(value, dict):
            grouped.setdefault(int(key), {}).update(value)
        else:
            head = key.partition("_")[0]
            if not head.isdigit():
                raise ApiError(400, f"Invalid attribute key '{key}'")
            grouped.setdefault(int(head), {})[key] = value
    return grouped


def apply_roles(repo: Repository, node: Node, role: Any) -> None:
    """Apply `roles.categories` given on create, copy or move."""
    if not isinstance(role, dict):
        raise ApiError(400, "roles.categories must be an object")
    with repo.lock:
        for category_id, updates in _group_by_category(role).items():
            defn = definition(repo, category_id)
            current = node.categories.get(category_id) or defn.blank()
            node.categories[category_id] = defn.apply(current, updates)
            node.category_tokens[category_id] = new_token()


def _updates_for(call: Call, defn: CategoryDef) -> dict[str, Any]:
    prefix = f"{defn.id}_"
    updates = {k: v for k, v in call.params.values.items() if k.startswith(prefix)}
    foreign = [k for k in call.params.values if k[:1].isdigit() and not k.startswith(prefix)]
    if foreign:
        defn.apply({}, {foreign[0]: None})
    return updates


def _category_result(call: Call, node: Node, defn: CategoryDef) -> dict[str, Any]:
    result: dict[str, Any] = {
        "data": {"categories": node.categories[defn.id]},
        "inheritance": defn.id in node.inherited_categories,
    }
    if "metadata" in call.params:
        meta = defn.metadata()
        result["metadata"] = {"categories": meta}
        result["metadata_map"] = {"categories": {str(defn.id): list(meta)}}
        result["metadata_order"] = {"categories": list(meta)}
    if "state" in call.params:
        result["state"] = {"categories": {"metadata_token": node.category_tokens[defn.id]}}
    return result


def _definitions(defn: CategoryDef) -> dict[str, Any]:
    return {"definitions": defn.metadata(), "definitions_order": list(defn.metadata())}


def list_categories(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        defs = [definition(call.repo, cat_id) for cat_id in node.categories]
        if call.version == 1:
            return json_response(
                {
                    "data": [{"id": d.id, "name": d.name} for d in defs],
                    "definitions": {str(d.id): d.metadata() for d in defs},
                    "definitions_map": {str(d.id): list(d.metadata()) for d in defs},
                    "definitions_order": [str(d.id) for d in defs],
                }
            )
        return json_response(
            {"links": {}, "results": [_category_result(call, node, d) for d in defs]}
        )


def _applied(call: Call, node: Node) -> CategoryDef:
    category_id = call.match_int("category_id")
    if category_id not in node.categories:
        raise ApiError(400, f"Category {category_id} is not applied to node {node.id}")
    return definition(call.repo, category_id)


def _respond(call: Call, node: Node, defn: CategoryDef) -> web.Response:
    if call.version == 1:
        return json_response({"data": node.categories[defn.id], **_definitions(defn)})
    return v2_item(call.request, _category_result(call, node, defn))


def get_category(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        return _respond(call, node, _applied(call, node))


def add_category(call: Call) -> web.Response:
    node = call.node()
    category_id = call.params.int("category_id", required=True)
    assert category_id is not None
    defn = definition(call.repo, category_id)
    with call.repo.lock:
        if category_id in node.categories:
            raise ApiError(400, f"The attribute group '{defn.name}' already exists")
        node.categories[category_id] = defn.apply(defn.blank(), _updates_for(call, defn))
        node.category_tokens[category_id] = new_token()
        call.repo.audit(node.id, ATTRIBUTE_VALUE_CHANGED, call.user.id)
        return _respond(call, node, defn)


def _check_token(call: Call, expected: str, own_key: str) -> None:
    """409 on a stale token; the token may come flat or inside `{cat}_1` (S1)."""
    own = call.params.get(own_key)
    token = call.params.get("metadata_token")
    if isinstance(own, dict):
        token = own.get("metadata_token", token)
    if token and token != expected:
        raise edit_conflict()


def update_category(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        defn = _applied(call, node)
        _check_token(call, node.category_tokens[defn.id], f"{defn.id}_1")
        node.categories[defn.id] = defn.apply(node.categories[defn.id], _updates_for(call, defn))
        node.category_tokens[defn.id] = new_token()
        node.touch()
        call.repo.audit(node.id, ATTRIBUTE_VALUE_CHANGED, call.user.id)
        return _respond(call, node, defn)


def delete_category(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        defn = _applied(call, node)
        del node.categories[defn.id]
        del node.category_tokens[defn.id]
        node.inherited_categories.discard(defn.id)
        node.touch()
        call.repo.audit(node.id, ATTRIBUTE_VALUE_CHANGED, call.user.id)
    if call.version == 1:
        return json_response({})
    return v2_item(call.request, {})


def set_inheritance(call: Call) -> web.Response:
    """`POST` (enable) or `DELETE` (disable) `/v2/nodes/{id}/categories/{cat}/inheritance`:
    whether items later created in the container get the category. S1 answers the empty
    v2 result, and 500 both for an unknown node and for a category not on the node."""
    node = call.node()
    category_id = call.match_int("category_id")
    with call.repo.lock:
        if category_id not in node.categories:
            raise ApiError(500, f"Could not find category ID {category_id} on the node")
        if not node.is_container:
            raise ApiError(400, f"The node {node.id} cannot contain items")
        if call.request.method == "POST":
            node.inherited_categories.add(category_id)
        else:
            node.inherited_categories.discard(category_id)
    return v2_item(call.request, {})


def category_form(call: Call) -> web.Response:
    """The create form: how clients discover attribute ids of a category (S1, S8)."""
    category_id = call.params.int("category_id", required=True)
    assert category_id is not None
    defn = definition(call.repo, category_id)
    meta = defn.metadata()
    fields = {k: {"label": m["name"], "type": m["type_name"]} for k, m in meta.items()}
    return json_response(
        {
            "forms": [
                {
                    "data": defn.blank(),
                    "options": {"fields": fields},
                    "schema": {
                        "properties": {k: {"title": m["name"]} for k, m in meta.items()},
                        "title": defn.name,
                    },
                }
            ]
        }
    )


ROUTES = [
    Route("GET", "/nodes/{id:\\d+}/categories", list_categories),
    Route("POST", "/nodes/{id:\\d+}/categories", add_category),
    Route("GET", "/nodes/{id:\\d+}/categories/{category_id:\\d+}", get_category),
    Route("PUT", "/nodes/{id:\\d+}/categories/{category_id:\\d+}", update_category),
    Route("DELETE", "/nodes/{id:\\d+}/categories/{category_id:\\d+}", delete_category),
    Route(
        "POST",
        "/nodes/{id:\\d+}/categories/{category_id:\\d+}/inheritance",
        set_inheritance,
        versions=(2,),
    ),
    Route(
        "DELETE",
        "/nodes/{id:\\d+}/categories/{category_id:\\d+}/inheritance",
        set_inheritance,
        versions=(2,),
    ),
    Route("GET", "/forms/nodes/categories/create", category_form, versions=(1,)),
]
