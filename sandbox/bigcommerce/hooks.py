"""Webhook management `/v3/hooks`: each hook belongs to the API account (client id) behind
the token that created it and is invisible to every other token.

A destination must be HTTPS on port 443 (webhooks.v3.yml: "Destination URL must be served
on port 443 (custom ports are not currently supported)"); anything else is refused like
other unacceptable field data, a 422 naming `destination`. Loopback test receivers speak
plain HTTP on a free port, so a store started with `allow_plain_http_hooks` also takes
`http://` destinations, and any port.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .envelopes import Query, read_json, v3_list, v3_object
from .errors import ApiError, Dialect
from .model import Token
from .routing import TOKEN, Route, RouteGroup, int_arg, store_of

HOOKS = RouteGroup("webhooks", Dialect.V3, ())
MAX_PER_SCOPE = 10


def token_of(request: web.Request) -> Token:
    return request[TOKEN]


def own_hook(request: web.Request) -> dict[str, Any]:
    hook = store_of(request).hooks.get(int_arg(request, "hook_id"))
    if hook is None or hook["client_id"] != token_of(request).client_id:
        raise ApiError(404, "The resource at that URL is not found.")
    return hook


def _destination_error(dest: Any, allow_plain_http: bool) -> str | None:
    """The `errors.destination` message for an unusable destination, else None."""
    if not isinstance(dest, str):
        return "error.expected.url"
    url = urlparse(dest)
    try:
        port = url.port
    except ValueError:
        return "error.expected.url"
    if url.scheme not in ("http", "https") or not url.hostname:
        return "error.expected.url"
    if allow_plain_http or (url.scheme == "https" and port in (None, 443)):
        return None
    return "error.destination.must.be.https.on.port.443"


def _check(body: dict[str, Any], *, partial: bool, allow_plain_http: bool) -> None:
    errors = {}
    for key in ("scope", "destination"):
        if key not in body and not partial:
            errors[key] = "error.path.missing."
    scope = body.get("scope")
    if scope is not None and (not isinstance(scope, str) or not scope.startswith("store/")):
        errors["scope"] = "error.expected.scope"
    dest = body.get("destination")
    problem = None if dest is None else _destination_error(dest, allow_plain_http)
    if problem:
        errors["destination"] = problem
    headers = body.get("headers")
    if headers is not None and (
        not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values())
    ):
        errors["headers"] = "error.expected.map.of.strings"
    if errors:
        raise ApiError(422, "JSON data is missing or invalid", errors=errors)


async def list_hooks(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    client = token_of(request).client_id
    active, scope, dest = q.bool("is_active"), q.get("scope"), q.get("destination")
    rows = [
        h
        for h in store.hooks.values()
        if h["client_id"] == client
        and (active is None or h["is_active"] == active)
        and (scope is None or h["scope"] == scope)
        and (dest is None or h["destination"] == dest)
    ]
    return v3_list(request, rows, dict)


async def create_hook(request: web.Request) -> web.Response:
    """200 (not 201) with `{data, meta}`, per the spec."""
    store = store_of(request)
    body = await read_json(request)
    _check(body, partial=False, allow_plain_http=store.allow_plain_http_hooks)
    client = token_of(request).client_id
    same_scope = [
        h for h in store.hooks.values() if h["client_id"] == client and h["scope"] == body["scope"]
    ]
    if any(h["destination"] == body["destination"] for h in same_scope):
        raise ApiError(409, "A webhook with this scope and destination already exists.")
    if len(same_scope) >= MAX_PER_SCOPE:
        raise ApiError(422, f"At most {MAX_PER_SCOPE} webhooks per scope are allowed.")
    now = store.now()
    hook = {
        "id": store.next_id("hook", 20_000_000),
        "client_id": client,
        "store_hash": store.store_hash,
        "scope": body["scope"],
        "destination": body["destination"],
        "is_active": bool(body.get("is_active", True)),
        "headers": body.get("headers"),
        "created_at": now,
        "updated_at": now,
    }
    store.hooks[hook["id"]] = hook
    return v3_object(hook)


async def one_hook(request: web.Request) -> web.Response:
    return v3_object(own_hook(request))


async def update_hook(request: web.Request) -> web.Response:
    hook = own_hook(request)
    body = await read_json(request)
    _check(body, partial=True, allow_plain_http=store_of(request).allow_plain_http_hooks)
    hook.update(
        {k: v for k, v in body.items() if k in ("scope", "destination", "is_active", "headers")}
    )
    hook["updated_at"] = store_of(request).now()
    return v3_object(hook)


async def delete_hook(request: web.Request) -> web.Response:
    """DELETE answers 200 with the deleted hook, per the spec."""
    hook = own_hook(request)
    del store_of(request).hooks[hook["id"]]
    return v3_object(hook)


ROUTES: list[Route] = [
    HOOKS.get("/v3/hooks", list_hooks),
    HOOKS.post("/v3/hooks", create_hook),
    HOOKS.get("/v3/hooks/{hook_id}", one_hook),
    HOOKS.put("/v3/hooks/{hook_id}", update_hook),
    HOOKS.delete("/v3/hooks/{hook_id}", delete_hook),
]
