"""Categories: find a category and its attribute keys by name, apply, read, update.

The file plan speaks in names ("Commerce Record", "Store Hash"); the API speaks in
keys (`9100_3`). Names are resolved once per client from the category node and its
create form (reference §6), so declare never hard-codes a server's ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import NotConfigured
from pipeline.integrations.otcs.nodes import NodeOperations

CATEGORY = 131
_ATTRIBUTE_KEY = re.compile(r"^\d+_\d+(?:_\d+_\d+)?$")


@dataclass(frozen=True)
class CategoryDefinition:
    id: int
    name: str
    keys: Mapping[str, str]  # attribute name → key, e.g. "Store Hash" → "9100_3"
    types: Mapping[str, str] = field(default_factory=dict)  # attribute name → "String", "Date"

    def values(self, by_name: Mapping[str, Any]) -> dict[str, Any]:
        """Attribute values keyed for the API; an unknown name is a config error."""
        unknown = sorted(set(by_name) - set(self.keys))
        if unknown:
            raise NotConfigured(f"category {self.name!r} has no attributes {unknown}")
        return {self.keys[name]: value for name, value in by_name.items()}


@dataclass(frozen=True)
class CategoryState:
    values: Mapping[str, Any]
    metadata_token: str | None


def _titled_keys(schema: Any) -> Iterator[tuple[str, str]]:
    """(title, key) pairs anywhere in a form schema: flat or nested per category/set."""
    if not isinstance(schema, Mapping):
        return
    for key, value in (schema.get("properties") or {}).items():
        if not isinstance(value, Mapping):
            continue
        if _ATTRIBUTE_KEY.match(key) and value.get("title"):
            yield str(value["title"]), key
        yield from _titled_keys(value)


def _field_types(form: Any) -> dict[str, str]:
    """key → type of each field of a create form, from its `options.fields` (Alpaca form
    options; the type's spelling is the server's, e.g. `String`, `Date`: unconfirmed)."""
    fields = ((form.get("options") or {}).get("fields") or {}) if isinstance(form, Mapping) else {}
    return {
        key: str(value["type"])
        for key, value in fields.items()
        if isinstance(value, Mapping) and value.get("type")
    }


class CategoryOperations(NodeOperations):
    def category(self, name: str) -> CategoryDefinition:
        """The category `name` in the Categories volume, with its attribute keys."""
        return self._lookup(("category", name), lambda: self._load_category(name))

    def _load_category(self, name: str) -> CategoryDefinition:
        node = self.find_child(self.categories_volume_id, name)
        if node is None or node.type != CATEGORY:
            raise NotConfigured(f"no category {name!r} in volume {self.categories_volume_id}")
        form = self.request(
            "GET",
            "v1/forms/nodes/categories/create",
            params={"id": self.enterprise_workspace_id, "category_id": node.id},
        )
        keys: dict[str, str] = {}
        key_types: dict[str, str] = {}
        for each in form.get("forms") or []:
            keys.update(_titled_keys(each.get("schema")))
            key_types.update(_field_types(each))
        types = {name: key_types[key] for name, key in keys.items() if key in key_types}
        return CategoryDefinition(id=node.id, name=node.name, keys=keys, types=types)

    def apply_category(
        self, node_id: int, category_id: int, values: Mapping[str, Any] | None = None
    ) -> None:
        """AlreadyExists if the category is on the node already (then use update_category)."""
        body = {"category_id": category_id, **(values or {})}
        self.request("POST", f"v2/nodes/{node_id}/categories", body=body)

    def get_categories(self, node_id: int) -> dict[int, dict[str, Any]]:
        """Category id → flat attribute values of every category on the node."""
        payload = self.request("GET", f"v2/nodes/{node_id}/categories")
        return dict(envelopes.category_values(payload))

    def get_category(self, node_id: int, category_id: int) -> CategoryState:
        """One category's values with the token `update_category` needs for safe edits."""
        payload = self.request(
            "GET", f"v2/nodes/{node_id}/categories/{category_id}/", params={"state": ""}
        )
        return CategoryState(envelopes.single_category(payload), envelopes.metadata_token(payload))

    def update_category(
        self,
        node_id: int,
        category_id: int,
        values: Mapping[str, Any],
        metadata_token: str | None = None,
    ) -> None:
        """With a token, EditConflict (409) if someone changed the category since reading it."""
        body: dict[str, Any] = dict(values)
        if metadata_token is not None:
            body[f"{category_id}_1"] = {"metadata_token": metadata_token}
        self.request("PUT", f"v2/nodes/{node_id}/categories/{category_id}/", body=body)
