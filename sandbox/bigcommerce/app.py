"""The aiohttp application: routing plus the one middleware every API request crosses.

Order of checks, as a client experiences them: injected connection reset and latency,
store hash and token (401/403), the store quota (429), unknown route (404/405), Accept (406)
and Content-Type (415), OAuth scope (403), injected errors, then the handler; an applied
write is logged (`write_log`) and, under a `lost_answer_rate` fault, its answer dropped.
Every answer, including errors, carries the rate-limit headers unless a fault says
otherwise, and every request is counted per route so benchmarks can count API calls.
Refusals are counted apart by cause: the quota exhausted by the store's own clients
(however a fault mode answers it) or an injected error, so a test can tell a client's
self-caused 429s from a storm it was sent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import struct
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from . import (
    catalog,
    channels,
    content,
    coupons,
    customers,
    hooks,
    order_parts,
    orders,
    promotions,
    refunds,
    store_info,
)
from . import settings as settings_routes
from .auth import check_scope
from .errors import ApiError, Dialect, error_response
from .faults import Faults
from .ratelimit import Decision, RateLimiter
from .routing import STORE, TOKEN, Route
from .state import Store
from .write_log import WriteLog, is_write

log = logging.getLogger(__name__)

ROUTE_MODULES = (
    channels,
    orders,
    order_parts,
    refunds,
    catalog,
    promotions,
    coupons,
    content,
    settings_routes,
    store_info,
    customers,
    hooks,
)
PREFIX = "/stores/{store_hash}"
ACCEPTABLE = {"*/*", "application/*", "application/json", "application/problem+json"}


@dataclass
class Runtime:
    """Mutable knobs and counters shared by the middleware and the control API."""

    store: Store
    limiter: RateLimiter
    faults: Faults = field(default_factory=Faults)
    rng: random.Random = field(default_factory=random.Random)
    counters: Counter[str] = field(default_factory=Counter)
    # `quota <mode>` when the clients spent the window's quota, `injected <status>` for a
    # drawn error: the two look alike on the wire (a header-less 429, a 500).
    refusals: Counter[str] = field(default_factory=Counter)
    routes: dict[object, Route] = field(default_factory=dict)
    writes: WriteLog = field(default_factory=WriteLog)


RUNTIME = web.AppKey("runtime", Runtime)


def _accepts_json(accept: str) -> bool:
    return any(part.split(";")[0].strip() in ACCEPTABLE for part in accept.split(","))


def _reset_connection(request: web.Request) -> None:
    """Abort with RST (SO_LINGER 0) so the client sees a connection reset, not a clean EOF."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _unmatched_dialect(path: str) -> Dialect:
    return Dialect.V2 if "/v2/" in path else Dialect.V3


@web.middleware
async def api_middleware(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    if not request.path.startswith("/stores/"):
        return await handler(request)
    rt = request.app[RUNTIME]
    route = rt.routes.get(request.match_info.route)
    family = route.family if route else "unmatched"
    dialect = route.dialect if route else _unmatched_dialect(request.path)
    rt.counters[f"{request.method} {route.path}" if route else "unmatched"] += 1
    faults = rt.faults
    writes = is_write(request.method, request.path)
    strikes = faults.strikes(family, writes)
    if faults.reset_rate and strikes and rt.rng.random() < faults.reset_rate:
        _reset_connection(request)
        raise asyncio.CancelledError
    delay = faults.delay(family, rt.rng) if faults.latency else 0.0
    if delay:
        await asyncio.sleep(delay)
    decision: Decision | None = None
    try:
        store_hash = request.path.split("/", 3)[2]
        token = rt.store.tokens.get(request.headers.get("X-Auth-Token", ""))
        if token is None:
            raise ApiError(401)
        if store_hash != rt.store.store_hash:
            raise ApiError(403, "The token is not valid for this store.")
        decision = rt.limiter.take()
        if not decision.allowed:
            rt.refusals[f"quota {faults.rate_limit_mode}"] += 1
            return _throttled(decision, dialect, faults)
        if route is None:
            exc = request.match_info.http_exception
            raise ApiError(exc.status if exc else 404)
        if not _accepts_json(request.headers.get("Accept", "*/*") or "*/*"):
            raise ApiError(406)
        if (
            request.method in ("POST", "PUT")
            and request.can_read_body
            and (request.content_type not in ("application/json", "application/problem+json"))
        ):
            raise ApiError(415)
        check_scope(token, route.scopes, request.method)
        if faults.error_rate and strikes and rt.rng.random() < faults.error_rate:
            rt.refusals[f"injected {faults.error_status}"] += 1
            if faults.error_status == 429:
                return error_response(ApiError(429), dialect)
            raise ApiError(faults.error_status)
        request[TOKEN] = token
        response = await handler(request)
    except ApiError as err:
        response = error_response(err, dialect)
    except Exception:
        log.exception("handler failed: %s %s", request.method, route.path if route else "?")
        response = error_response(ApiError(500), dialect)
    response.headers.update((decision or rt.limiter.peek()).headers())
    lose = (
        writes
        and faults.lost_answer_rate
        and faults.applies(family)
        and 200 <= response.status < 300
        and rt.rng.random() < faults.lost_answer_rate
    )
    if writes and route is not None:
        raw = await request.read()  # aiohttp keeps the body the handler read
        rt.writes.record(
            request.method,
            request.path.removeprefix(f"/stores/{rt.store.store_hash}"),
            request.query_string,
            response.status,
            raw,
            answered=not lose,
        )
    if lose:
        rt.refusals["injected lost_answer"] += 1
        _reset_connection(request)
        raise asyncio.CancelledError
    return response


def _throttled(decision: Decision, dialect: Dialect, faults: Faults) -> web.Response:
    """Quota exhausted: 429 with headers, a header-less 429, or a 500 (fault modes)."""
    if faults.rate_limit_mode == "as_500":
        response = error_response(ApiError(500), dialect)
        response.headers.update(
            Decision(True, decision.quota, 0, decision.window_ms, decision.reset_ms).headers()
        )
        return response
    response = error_response(ApiError(429), dialect)
    if faults.rate_limit_mode == "standard":
        response.headers.update(decision.headers())
    return response


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[api_middleware], client_max_size=8 * 1024 * 1024)
    app[STORE] = runtime.store
    app[RUNTIME] = runtime
    for module in ROUTE_MODULES:
        for route in module.ROUTES:
            added = app.router.add_route(route.method, PREFIX + route.path, route.handler)
            runtime.routes[added] = route
    return app
