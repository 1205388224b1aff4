"""Wire conventions of the Content Server REST API, in one place.

Every handler speaks through these helpers so that body parsing, the v1/v2
envelopes, paging and the `{"error": ...}` shape cannot drift apart between
resource families (reference otcs-api.md §1, §3, §4).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aiohttp import hdrs, web
from aiohttp.multipart import content_disposition_filename, parse_content_disposition
from multidict import MultiDict, MultiDictProxy


class ApiError(Exception):
    """A refusal that the server reports in its own error shape."""

    def __init__(self, status: int, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


def edit_conflict() -> ApiError:
    """Stale `metadata_token` / `rm_metadataToken` (S1)."""
    return ApiError(409, "Could not update metadata (edit conflict).")


def missing_parameter(name: str) -> ApiError:
    return ApiError(400, f"Missing required parameter '{name}'")


# S1's 500 text for a node that is missing or not visible, on v2 content and permissions.
NO_ACCESS = (
    "Sorry, the item you requested could not be accessed. Either it does not exist "
    "or you do not have permission to access it."
)


def node_not_found(node_id: int | str, status: int) -> ApiError:
    return ApiError(status, f"Could not get a node for {node_id}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart body, held in memory (uploads are small in tests)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """Query, flat form fields and the `body` JSON merged, later sources winning.

    The merge order (query < form < body) mirrors how clients mix the three: the
    spec lists RM parameters as query strings while clients post them as fields.
    """

    values: dict[str, Any] = field(default_factory=dict)
    multi: MultiDict[str] = field(default_factory=MultiDict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key, default)
        return default if value is None else value

    def require(self, key: str) -> Any:
        value = self.values.get(key)
        if value is None or value == "":
            raise missing_parameter(key)
        return value

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key, default)
        return value if isinstance(value, str) else str(value)

    def int(self, key: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.require(key) if required else self.get(key)
        if value is None or value == "":
            return default
        return to_int(value, key)

    def bool(self, key: str, default: bool = False) -> bool:
        return to_bool(self.get(key, default))

    def list(self, key: str) -> list[Any]:
        """A list parameter sent as repeated fields, a JSON array or a comma list."""
        repeated = self.multi.getall(key, [])
        if len(repeated) > 1:
            return list(repeated)
        value = self.values.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            stripped = value.strip()
            if stripped.startswith("["):
                try:
                    parsed = json.loads(stripped)
                except json.JSONDecodeError:
                    raise ApiError(400, f"Invalid value for parameter '{key}'") from None
                return parsed if isinstance(parsed, list) else [parsed]
            return [part for part in (p.strip() for p in stripped.split(",")) if part]
        return [value]

    def int_list(self, key: str) -> list[int]:
        return [to_int(item, key) for item in self.list(key)]


def to_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid value for parameter '{name}'") from None


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value).strip().lower() in {"true", "1", "yes", "on"}


def to_iso_date(value: Any) -> str | None:
    """Dates arrive as `YYYY-MM-DD` or ISO datetimes; the server answers zone-less ISO."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat() + "T00:00:00"
        return datetime.fromisoformat(text.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ApiError(400, f"Invalid date value '{text}'") from None


def _merge_field(values: dict[str, Any], multi: MultiDict[str], key: str, value: str) -> None:
    multi.add(key, value)
    values[key] = value


async def read_params(request: web.Request, accept_json: bool) -> Params:
    """Parse a request the way Content Server does (reference §1)."""
    params = Params()
    for key, value in request.query.items():
        _merge_field(params.values, params.multi, key, value)
    if request.method in {"GET", "HEAD"} or not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "multipart/form-data":
        await _read_multipart(request, params)
    elif content_type == "application/x-www-form-urlencoded":
        form: MultiDictProxy[Any] = await request.post()
        for key, value in form.items():
            _merge_field(params.values, params.multi, key, value)
    elif content_type == "application/json" and accept_json:
        payload = await _load_json(await request.text())
        params.values.update(payload)
    _merge_body_field(params)
    return params


async def _read_multipart(request: web.Request, params: Params) -> None:
    """Parse each part's Content-Disposition once (aiohttp re-parses it per property)."""
    reader = await request.multipart()
    async for part in reader:
        _, disposition = parse_content_disposition(part.headers.get(hdrs.CONTENT_DISPOSITION))
        name = disposition.get("name", "")
        filename = content_disposition_filename(disposition, "filename")
        if filename is not None:
            params.files[name] = UploadedFile(
                filename=filename,
                content_type=part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream"),
                data=bytes(await part.read()),
            )
        else:
            _merge_field(params.values, params.multi, name, await part.text())


async def _load_json(text: str) -> dict[str, Any]:
    try:
        payload = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        raise ApiError(400, "Could not parse the JSON body") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "The JSON body must be an object")
    return payload


def _merge_body_field(params: Params) -> None:
    raw = params.values.pop("body", None)
    if raw is None or raw == "":
        return
    if isinstance(raw, dict):
        params.values.update(raw)
        return
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError:
        raise ApiError(400, "Could not parse the 'body' parameter as JSON") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "The 'body' parameter must hold a JSON object")
    params.values.update(payload)


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def error_payload(error: ApiError) -> dict[str, Any]:
    payload: dict[str, Any] = {"error": error.message}
    if error.detail:
        payload["errorDetail"] = error.detail
    return payload


def self_links(request: web.Request) -> dict[str, Any]:
    return {
        "data": {
            "self": {
                "body": "",
                "content_type": "",
                "href": request.path_qs,
                "method": request.method,
                "name": "",
            }
        }
    }


def v2_item(request: web.Request, results: dict[str, Any]) -> web.Response:
    """v2 single-object envelope: `results` is an object (not the spec's array)."""
    return json_response({"links": self_links(request), "results": results})


@dataclass(frozen=True)
class Page:
    """One page of a listing plus the counters every paging shape is built from."""

    items: list[Any]
    page: int
    limit: int
    total: int

    @property
    def page_total(self) -> int:
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    @property
    def range_min(self) -> int:
        return 0 if not self.items else (self.page - 1) * self.limit + 1

    @property
    def range_max(self) -> int:
        return 0 if not self.items else self.range_min + len(self.items) - 1

    def counters(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "page": self.page,
            "page_total": self.page_total,
            "range_min": self.range_min,
            "range_max": self.range_max,
            "total_count": self.total,
        }

    def paging(self, request: web.Request) -> dict[str, Any]:
        """The v2 `paging` object, with a `next` link when another page exists."""
        paging: dict[str, Any] = self.counters()
        links: dict[str, Any] = {}
        for name, page in (("previous", self.page - 1), ("next", self.page + 1)):
            if 1 <= page <= self.page_total and page != self.page:
                url = request.rel_url.update_query(page=str(page), limit=str(self.limit))
                links[name] = {"body": "", "content_type": "", "href": str(url), "method": "GET"}
        paging["links"] = {"data": links}
        return paging


def paginate(items: Sequence[Any], params: Params, default_limit: int = 25) -> Page:
    limit = params.int("limit", default_limit) or default_limit
    page = params.int("page", 1) or 1
    if limit < 1 or page < 1:
        raise ApiError(400, "Invalid value for parameter 'limit' or 'page'")
    start = (page - 1) * limit
    return Page(items=list(items[start : start + limit]), page=page, limit=limit, total=len(items))


def v2_collection(
    request: web.Request,
    results: Iterable[dict[str, Any]],
    page: Page,
    sort: str | None = None,
) -> web.Response:
    """v2 collection envelope: `results` array plus `collection.paging`/`sorting` (S10)."""
    collection: dict[str, Any] = {"paging": page.paging(request)}
    if sort:
        collection["sorting"] = {"sort": [{"key": "sort", "value": sort}]}
    return json_response(
        {"collection": collection, "links": self_links(request), "results": list(results)}
    )


def rm_collection(request: web.Request, key: str, page: Page) -> web.Response:
    """RM v2 lists: rows under `results.data.{key}`, paging under `collection` (S2, S4)."""
    return json_response(
        {
            "collection": {"paging": page.paging(request)},
            "links": self_links(request),
            "results": {"data": {key: page.items}},
        }
    )


def admin_ok(result_id: int = 0) -> dict[str, Any]:
    """The RM v2 admin `ApiResponse` shape (S2)."""
    return {"results": {"ok": True, "errMsg": "", "id": result_id}}
