"""Response envelopes and paging, written once for every route.

v2 lists are bare arrays and an empty page is `204 No Content` with no body (clients stop
paging on it); v3 wraps everything in `{data, meta}` with `meta.pagination` whose links are
query strings that keep the caller's filters.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .errors import ApiError
from .formats import parse_date_filter

MAX_LIMIT = 250
DEFAULT_LIMIT = 50


def json_response(body: object, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        content_type="application/json",
    )


def no_content() -> web.Response:
    return web.Response(status=204)


class Query:
    """Typed access to the query string; malformed numbers are a 400, malformed dates are
    ignored (the real API silently drops a filter it cannot parse)."""

    def __init__(self, request: web.Request) -> None:
        self.raw = request.query

    def get(self, name: str) -> str | None:
        value = self.raw.get(name)
        return value if value not in (None, "") else None

    def int(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f"The filter '{name}' must be an integer.") from None

    def float(self, name: str) -> float | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise ApiError(400, f"The filter '{name}' must be a number.") from None

    def bool(self, name: str) -> bool | None:
        value = self.get(name)
        if value is None:
            return None
        return value.lower() in ("1", "true", "yes")

    def ints(self, name: str) -> list[int] | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return [int(v) for v in value.split(",") if v.strip()]
        except ValueError:
            raise ApiError(400, f"The filter '{name}' must be a list of integers.") from None

    def strs(self, name: str) -> list[str] | None:
        value = self.get(name)
        return None if value is None else [v for v in value.split(",") if v]

    def date(self, name: str, *, allow_unix: bool = False) -> float | None:
        value = self.get(name)
        return None if value is None else parse_date_filter(value, allow_unix=allow_unix)

    def includes(self) -> set[str]:
        return set(self.strs("include") or ())

    def page_limit(self, max_limit: int = MAX_LIMIT) -> tuple[int, int]:
        """`page` (1-based) and `limit`; above the maximum is a 413 as DOC-STATUS lists."""
        page = self.int("page") or 1
        limit = self.int("limit") or DEFAULT_LIMIT
        if limit > max_limit:
            raise ApiError(
                413, f"The limit parameter exceeded the maximum of {max_limit}.", errors={}
            )
        return max(page, 1), max(limit, 1)


def v2_list(
    request: web.Request,
    rows: Iterable[Any],
    render: Callable[[Any], dict[str, Any]],
) -> web.Response:
    """A v2 page: bare array, or 204 with an empty body when the page holds nothing.

    v2 has no totals, so `rows` may be a lazy filter that is only run up to the page.
    """
    page, limit = Query(request).page_limit()
    chunk = list(itertools.islice(rows, (page - 1) * limit, page * limit))
    if not chunk:
        return no_content()
    return json_response([render(row) for row in chunk])


def v3_object(data: object, status: int = 200) -> web.Response:
    return json_response({"data": data, "meta": {}}, status)


def pagination_meta(request: web.Request, total: int, count: int, page: int, limit: int) -> dict:
    """`meta.pagination`, links carry the caller's other filters and omit previous/next at
    the ends, as the catalog and orders v3 examples do."""
    total_pages = max(math.ceil(total / limit), 1) if total else 0
    others = [(k, v) for k, v in request.query.items() if k not in ("page", "limit")]

    def link(p: int) -> str:
        return "?" + urlencode([*others, ("page", p), ("limit", limit)])

    links = {"current": link(page)}
    if page > 1:
        links["previous"] = link(page - 1)
    if page < total_pages:
        links["next"] = link(page + 1)
    return {
        "total": total,
        "count": count,
        "per_page": limit,
        "current_page": page,
        "total_pages": total_pages,
        "links": links,
    }


def v3_list(
    request: web.Request,
    rows: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    max_limit: int = MAX_LIMIT,
) -> web.Response:
    """A v3 page in `{data, meta: {pagination}}`; past the end is `200` with `data: []`."""
    page, limit = Query(request).page_limit(max_limit)
    chunk = rows[(page - 1) * limit : page * limit]
    meta = {"pagination": pagination_meta(request, len(rows), len(chunk), page, limit)}
    return json_response({"data": [render(row) for row in chunk], "meta": meta})


async def read_json(request: web.Request, *, expect: type | tuple[type, ...] = dict) -> Any:
    """The request body as JSON of the expected type, or a 400."""
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, expect):
        raise ApiError(400, "The request body has the wrong shape.")
    return body
