"""Paging as iterators: v2 pages until a short page or `204 No Content`, v3 until
`meta.pagination` says the last page was served.

Stopping on a short v2 page saves the extra request that would only answer 204, which
matters at 150 requests per 30 s (reference §3: PY and HG page until 204 or empty).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Params = Mapping[str, Any]


def v2_rows(fetch: Callable[[Params], Any], params: Params, limit: int) -> Iterator[Any]:
    """Rows of a v2 list; `fetch(params)` returns the page's JSON array, or None on 204."""
    page = 1
    while True:
        rows = fetch({**params, "page": page, "limit": limit}) or []
        yield from rows
        if len(rows) < limit:
            return
        page += 1


def v3_rows(fetch: Callable[[Params], Any], params: Params, limit: int) -> Iterator[Any]:
    """Rows of a v3 list; `fetch(params)` returns the `{data, meta}` body, or None on 204.

    A list without `meta.pagination` is one page: transactions take no paging parameters
    (reference §5), and asking again would only repeat it.
    """
    page = 1
    while True:
        body = fetch({**params, "page": page, "limit": limit}) or {}
        rows = body.get("data") or []
        yield from rows
        pagination = (body.get("meta") or {}).get("pagination") or {}
        if not rows or pagination.get("current_page", page) >= pagination.get("total_pages", 0):
            return
        page += 1
