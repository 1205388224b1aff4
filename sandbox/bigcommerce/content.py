"""Content pages v3: the merchant-authored terms, privacy, returns and shipping texts.

Errors are `application/problem+json` (the pages dialect). `body` is returned only with
`include=body`. Pages have no `date_modified`; creating or updating one fires
`store/channel/{channel_id}/page/created|updated` (channels.mdx; no scope for a deletion),
and every change enters the disclosure log (`disclosures`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import disclosures
from .envelopes import Query, no_content, read_json, v3_list, v3_object
from .errors import ApiError, Dialect
from .filters import public
from .routing import Route, RouteGroup, int_arg, store_of
from .state import Store

PAGES = RouteGroup("content", Dialect.PAGES, ("store_v2_content",))
TYPES = {"page", "raw", "contact_form", "link", "blog"}
LIST_PARAMETERS = {"channel_id", "id:in", "name", "name:like", "limit", "page", "include"}
WRITABLE = {
    "channel_id",
    "name",
    "is_visible",
    "parent_id",
    "sort_order",
    "type",
    "is_homepage",
    "is_customers_only",
    "url",
    "meta_title",
    "meta_keywords",
    "meta_description",
    "search_keywords",
    "body",
    "content_type",
    "email",
    "contact_fields",
    "link",
}


def render(p: dict[str, Any], with_body: bool) -> dict[str, Any]:
    body = public(p)
    if not with_body:
        body.pop("body", None)
    return body


def get_page(store: Store, page_id: int) -> dict[str, Any]:
    page = store.pages.get(page_id)
    if page is None:
        raise ApiError(404, f"A Page was not found with an ID of {page_id}")
    return page


def validated(store: Store, current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Apply writable fields; problems are listed as strings, as the pages API does."""
    page = {**current, **{k: v for k, v in body.items() if k in WRITABLE}}
    problems = []
    if not isinstance(page["name"], str) or not 1 <= len(page["name"]) <= 100:
        problems.append("name must be between 1 and 100 characters")
    if page["type"] not in TYPES:
        problems.append(f"type must be one of {', '.join(sorted(TYPES))}")
    if page["type"] == "raw" and not page.get("body"):
        problems.append("body is required for raw pages")
    if any(
        p["name"] == page["name"]
        and p["id"] != page["id"]
        and p["channel_id"] == page["channel_id"]
        for p in store.pages.values()
    ):
        problems.append(f"A page with the name {page['name']!r} already exists")
    if problems:
        raise ApiError(422, "The request data is invalid.", errors=problems)
    return page


def edit_page(
    store: Store, page_id: int, changes: dict[str, Any], *, notify: bool = True
) -> dict[str, Any]:
    """A merchant edits a page (PUT and the admin API share this); ``notify=False`` drops
    the webhook, as a lost delivery would."""
    page = validated(store, get_page(store, page_id), changes)
    store.pages[page_id] = page
    disclosures.page_changed(store, page, "updated", notify=notify)
    return page


def remove_page(store: Store, page_id: int, *, with_children: bool = False) -> None:
    """Delete a page. Its children are deleted too with ``with_children``, else moved to the
    top level and hidden (pages.v3.yml `delete_children`): a change the log records but
    no webhook announces (the docs tie page/updated to the update endpoints)."""
    disclosures.page_changed(store, store.pages.pop(page_id), "deleted")
    for child in [p for p in store.pages.values() if p["parent_id"] == page_id]:
        if with_children:
            remove_page(store, child["id"], with_children=True)
        else:
            child.update(parent_id=0, is_visible=False)
            disclosures.page_changed(store, child, "updated", notify=False)


def new_page(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    pid = store.next_id("page")
    blank = {
        "id": pid,
        "channel_id": 1,
        "name": "",
        "is_visible": True,
        "parent_id": 0,
        "sort_order": 0,
        "type": "page",
        "is_homepage": False,
        "is_customers_only": False,
        "url": f"/page-{pid}/",
        "meta_title": "",
        "meta_keywords": "",
        "meta_description": "",
        "search_keywords": "",
        "body": "",
        "content_type": "text/html",
    }
    page = validated(store, blank, body)
    store.pages[pid] = page
    disclosures.page_changed(store, page, "created")
    return page


def _supported_only(request: web.Request) -> None:
    """pages.v3.yml: a query parameter this endpoint does not support (though others do,
    e.g. `sort`) is a 400, not silently ignored."""
    unknown = sorted(set(request.query) - LIST_PARAMETERS)
    if unknown:
        raise ApiError(
            400, "Bad Request", detail=f"unsupported query parameters: {', '.join(unknown)}"
        )


async def list_pages(request: web.Request) -> web.Response:
    _supported_only(request)
    store, q = store_of(request), Query(request)
    ids, channel = q.ints("id:in"), q.int("channel_id")
    name, like = q.get("name"), (q.get("name:like") or "").lower()
    rows = [
        p
        for p in sorted(store.pages.values(), key=lambda p: p["id"])
        if (ids is None or p["id"] in ids)
        and (channel is None or p["channel_id"] == channel)
        and (name is None or p["name"] == name)
        and (not like or like in p["name"].lower() or like in p.get("body", "").lower())
    ]
    with_body = "body" in q.includes()
    return v3_list(request, rows, lambda p: render(p, with_body))


async def create_pages(request: web.Request) -> web.Response:
    """One page or an array of pages; the answer mirrors what was sent."""
    store = store_of(request)
    body = await read_json(request, expect=(dict, list))
    entries = body if isinstance(body, list) else [body]
    if not all(isinstance(e, dict) for e in entries):
        raise ApiError(400, "Each page must be an object.")
    with_body = "body" in Query(request).includes()
    created = [render(new_page(store, e), with_body) for e in entries]
    return v3_object(created if isinstance(body, list) else created[0], status=201)


async def bulk_update(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await read_json(request, expect=list)
    if not all(isinstance(e, dict) and isinstance(e.get("id"), int) for e in body):
        raise ApiError(422, "The request data is invalid.", errors=["each page needs an id"])
    for entry in body:
        get_page(store, entry["id"])
    with_body = "body" in Query(request).includes()
    return v3_object([render(edit_page(store, e["id"], e), with_body) for e in body])


async def bulk_delete(request: web.Request) -> web.Response:
    """Deletes the pages that exist; any that do not make it a 404 afterwards, per spec."""
    store, q = store_of(request), Query(request)
    ids = q.ints("id:in")
    if not ids:
        raise ApiError(422, "Input is invalid", detail="missing the required field: id")
    missing = [pid for pid in ids if pid not in store.pages]
    for pid in ids:
        if pid in store.pages:
            remove_page(store, pid, with_children=bool(q.bool("delete_children")))
    if missing:
        raise ApiError(404, f"A Page was not found with an ID of {missing[0]}")
    return no_content()


async def one_page(request: web.Request) -> web.Response:
    page = get_page(store_of(request), int_arg(request, "page_id"))
    return v3_object(render(page, "body" in Query(request).includes()))


async def update_page(request: web.Request) -> web.Response:
    store = store_of(request)
    page = edit_page(store, int_arg(request, "page_id"), await read_json(request))
    return v3_object(render(page, "body" in Query(request).includes()))


async def delete_page(request: web.Request) -> web.Response:
    store = store_of(request)
    remove_page(store, get_page(store, int_arg(request, "page_id"))["id"])
    return no_content()


ROUTES: list[Route] = [
    PAGES.get("/v3/content/pages", list_pages),
    PAGES.post("/v3/content/pages", create_pages),
    PAGES.put("/v3/content/pages", bulk_update),
    PAGES.delete("/v3/content/pages", bulk_delete),
    PAGES.get("/v3/content/pages/{page_id}", one_page),
    PAGES.put("/v3/content/pages/{page_id}", update_page),
    PAGES.delete("/v3/content/pages/{page_id}", delete_page),
]
