"""Reading v1 and v2 answers: the only module that knows where Content Server puts things.

v1 answers are flat (`{"id": N}`, `{"data": {...}}`); v2 wraps one object as
`results.data.properties` and a collection as a `results` array with paging under
`collection.paging` (or top-level `paging` for workspace search). The vendor schemas
model some of these as arrays where real servers send objects (reference §3), so
every accessor accepts both and names the shape it expected when neither fits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.integrations.otcs.errors import OTCSUnavailable

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Node:
    """The properties declare relies on, plus the raw property map for anything else."""

    id: int
    name: str
    type: int
    parent_id: int
    size: int | None
    mime_type: str | None
    properties: Json

    @property
    def is_container(self) -> bool:
        return bool(self.properties.get("container"))


def _object(value: Any) -> Json:
    """An object that the vendor schema may model as a one-element array."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, Mapping) else {}


def _malformed(what: str, payload: Any) -> OTCSUnavailable:
    """An answer without the expected shape: treated like a garbled reply, not a refusal."""
    keys = sorted(payload) if isinstance(payload, Mapping) else type(payload).__name__
    return OTCSUnavailable(f"unexpected OTCS answer: no {what} (keys: {keys})")


def node_from_properties(props: Json) -> Node:
    try:
        return Node(
            id=int(props["id"]),
            name=str(props["name"]),
            type=int(props["type"]),
            parent_id=int(props.get("parent_id") or 0),
            size=props.get("size") if props.get("container") is False else None,
            mime_type=props.get("mime_type"),
            properties=props,
        )
    except (KeyError, TypeError, ValueError):
        raise _malformed("node properties", props) from None


def _properties(item: Json) -> Json:
    """v2 `{"data": {"properties": {...}}}` or v1 `{"data": {...}}` / a bare property map."""
    data = _object(item.get("data", item))
    return _object(data["properties"]) if "properties" in data else data


def node(payload: Json) -> Node:
    """A single node: v2 `results.data.properties` or v1 `data`."""
    item = _object(payload["results"]) if "results" in payload else payload
    return node_from_properties(_properties(item))


def nodes(payload: Json) -> list[Node]:
    """A collection page: v2 `results[]` or v1 `data[]`."""
    items = payload.get("results", payload.get("data"))
    if not isinstance(items, list):
        raise _malformed("result list", payload)
    return [node_from_properties(_properties(item)) for item in items]


def created_id(payload: Json) -> int:
    """The id of what a POST created: v1 `id`, workspace `results.id`, v2 node properties."""
    if "id" in payload:
        return int(payload["id"])
    results = _object(payload.get("results"))
    if "id" in results:
        return int(results["id"])
    return node(payload).id


def version_number(payload: Json) -> int:
    """A new version's number: v1 `version_number`, v2 `results.data.versions`."""
    if "version_number" in payload:
        return int(payload["version_number"])
    versions = _object(results_data(payload).get("versions"))
    if "version_number" not in versions:
        raise _malformed("version number", payload)
    return int(versions["version_number"])


def results_data(payload: Json) -> Json:
    """v2 non-node objects (uploads, RM lists, holds): `results.data`."""
    data = _object(payload.get("results")).get("data")
    if not isinstance(data, Mapping):
        raise _malformed("results.data", payload)
    return data


def data_rows(payload: Json) -> list[Json]:
    """v1 RM lists (node holds, xrefs, record details): `data[]`."""
    rows = payload.get("data")
    if not isinstance(rows, list):
        raise _malformed("data list", payload)
    return rows


def has_next_page(payload: Json) -> bool:
    """Paging under `collection.paging` (v2), top-level `paging` (workspaces) or flat (v1)."""
    paging = _object(_object(payload.get("collection")).get("paging") or payload.get("paging"))
    if not paging:
        paging = payload
    page, total = paging.get("page"), paging.get("page_total")
    return isinstance(page, int) and isinstance(total, int) and page < total


def category_values(payload: Json) -> Iterator[tuple[int, dict[str, Any]]]:
    """v2 `results[].data.categories` flat maps, grouped by the category id in each key."""
    for item in payload.get("results") or []:
        values = _object(item.get("data")).get("categories")
        if isinstance(values, Mapping) and values:
            category_id = int(next(iter(values)).split("_")[0])
            yield category_id, dict(values)


def single_category(payload: Json) -> dict[str, Any]:
    """One category's flat values: v2 `results.data.categories`."""
    values = _object(_object(payload.get("results")).get("data")).get("categories")
    return dict(values) if isinstance(values, Mapping) else {}


def metadata_token(payload: Json) -> str | None:
    """The optimistic-lock token under v2 `results.state` (`?state` was requested)."""
    state = _object(_object(payload.get("results")).get("state"))
    for section in (state, *(_object(v) for v in state.values())):
        token = section.get("metadata_token")
        if isinstance(token, str):
            return token
    return None


def error_message(payload: Any) -> str:
    """`error`, else `errorDetail`, else a short rendering of whatever came back."""
    if isinstance(payload, Mapping):
        for key in ("error", "errorDetail"):
            if payload.get(key):
                return str(payload[key])
    return str(payload)[:200]


def permission_names(payload: Json) -> frozenset[str]:
    """Effective permissions: v2 `results.data.permissions`, per S1 an entry
    `{permissions, right_id, type}` whose `permissions` names them (`see`, `add_items`, ...,
    pyxecm's PERMISSION_TYPES); otcs-mcp also reads a bare list or a map of flags."""
    entry = _object(_object(payload.get("results")).get("data")).get("permissions")
    if not (isinstance(entry, list) and all(isinstance(name, str) for name in entry)):
        fields = _object(entry)
        if "permissions" not in fields and not fields:
            raise _malformed("results.data.permissions", payload)
        entry = fields.get("permissions", [key for key, flag in fields.items() if flag is True])
    if isinstance(entry, str):
        entry = entry.split(",")
    return frozenset(str(name).strip() for name in entry or ())
