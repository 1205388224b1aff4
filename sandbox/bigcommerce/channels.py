"""Channels v3 (channels.v3.yml): the store's sales channels, read-only here.

`GET /v3/channels` pages `{data, meta.pagination}` and filters by `status:in`, `type:in`
and `platform:in`; `GET /v3/channels/{channel_id}` is a 404 for an unknown id. Scopes:
`store_channel_settings` (or `_read_only`). The seeded store has three storefronts, each
with its own pages and settings (`seed_disclosures`).
"""

from __future__ import annotations

from aiohttp import web

from .envelopes import Query, v3_list, v3_object
from .errors import ApiError, Dialect
from .routing import Route, RouteGroup, int_arg, store_of

CHANNELS = RouteGroup("settings", Dialect.V3, ("store_channel_settings",))
FILTERS = {"status:in": "status", "type:in": "type", "platform:in": "platform"}


async def list_channels(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    wanted = {field: set(q.strs(name) or ()) for name, field in FILTERS.items() if q.get(name)}
    rows = [
        channel
        for _, channel in sorted(store.channels.items())
        if all(channel[field] in values for field, values in wanted.items())
    ]
    return v3_list(request, rows, dict)


async def one_channel(request: web.Request) -> web.Response:
    channel = store_of(request).channels.get(int_arg(request, "channel_id"))
    if channel is None:
        raise ApiError(404, "Not found")
    return v3_object(channel)


ROUTES: list[Route] = [
    CHANNELS.get("/v3/channels", list_channels),
    CHANNELS.get("/v3/channels/{channel_id}", one_channel),
]
