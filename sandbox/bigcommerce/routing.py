"""Route declarations: each API module lists its routes with the metadata the middleware
needs (route family for faults and counters, error dialect, required OAuth scopes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from .errors import ApiError, Dialect
from .model import Token
from .state import Store

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STORE = web.AppKey("store", Store)
TOKEN = web.RequestKey("token", Token)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    family: str
    dialect: Dialect
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class RouteGroup:
    """Routes sharing a family, dialect and scopes; `group.get(path, handler)` etc."""

    family: str
    dialect: Dialect
    scopes: tuple[str, ...]

    def route(self, method: str, path: str, handler: Handler) -> Route:
        return Route(method, path, handler, self.family, self.dialect, self.scopes)

    def get(self, path: str, handler: Handler) -> Route:
        return self.route("GET", path, handler)

    def post(self, path: str, handler: Handler) -> Route:
        return self.route("POST", path, handler)

    def put(self, path: str, handler: Handler) -> Route:
        return self.route("PUT", path, handler)

    def delete(self, path: str, handler: Handler) -> Route:
        return self.route("DELETE", path, handler)


def store_of(request: web.Request) -> Store:
    return request.app[STORE]


def int_arg(request: web.Request, name: str) -> int:
    """A numeric path segment; anything else cannot name a resource, so it is a 404."""
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ApiError(404) from None
