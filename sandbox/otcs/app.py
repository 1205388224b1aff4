"""The aiohttp application: every API route wrapped in the same call pipeline.

The wrapper (faults → auth → body parsing → handler → error shape → ticket echo →
counters) lives here once so no resource family can forget a step.
"""

from __future__ import annotations

import inspect
import json
import logging
import re

from aiohttp import web

from sandbox.otcs import (
    admin,
    categories,
    holds,
    nodes,
    permissions,
    records,
    rmcodes,
    rsis,
    system,
    uploads,
    versions,
    workspaces,
    xrefs,
)
from sandbox.otcs.auth import authenticate
from sandbox.otcs.context import Call, EmulatorState, Route
from sandbox.otcs.transport import ApiError, error_payload, json_response, read_params

LOG = logging.getLogger(__name__)
ROUTE_REGEX = re.compile(r"\{(\w+):[^}]*\}")
STATE_KEY = web.AppKey("otcs_state", EmulatorState)
UNMAPPED = "The REST API URL could not be found in the mappings registry"

ALL_ROUTES: list[Route] = [
    *system.ROUTES,
    *nodes.ROUTES,
    *permissions.ROUTES,
    *versions.ROUTES,
    *uploads.ROUTES,
    *categories.ROUTES,
    *records.ROUTES,
    *rsis.ROUTES,
    *rmcodes.ROUTES,
    *xrefs.ROUTES,
    *holds.ROUTES,
    *workspaces.ROUTES,
]


def _suppress_codes(response: web.Response) -> web.Response:
    """`suppress_response_codes`: always 200, the real status moved into the JSON (S1)."""
    if response.content_type != "application/json" or response.body is None:
        return response
    payload = json.loads(bytes(response.body))  # type: ignore[arg-type]
    if isinstance(payload, dict):
        payload["statusCode"] = response.status
    wrapped = json_response(payload, 200)
    wrapped.headers.update({k: v for k, v in response.headers.items() if k == "OTCSTicket"})
    return wrapped


def _endpoint(route: Route, version: int, key: str) -> web.Handler:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE_KEY]
        ticket: str | None = None
        suppress = "suppress_response_codes" in request.query
        response = await state.faults.apply(request, key)
        if response is None:
            try:
                if not route.public:
                    ticket = authenticate(request, state.tickets, state.credentials)
                params = await read_params(request, route.accept_json)
                suppress = suppress or "suppress_response_codes" in params
                call = Call(request, version, params, state, state.credentials.user)
                result = route.handler(call)
                response = await result if inspect.isawaitable(result) else result
            except ApiError as error:
                response = json_response(error_payload(error), error.status)
            except Exception:  # a bug here must still answer in the server's error shape
                LOG.exception("unhandled error in %s", key)
                response = json_response({"error": "Internal emulator error"}, 500)
        if ticket is not None:
            response.headers["OTCSTicket"] = ticket
        if suppress and isinstance(response, web.Response):
            response = _suppress_codes(response)
        state.counters.record(key, response.status)
        return response

    return endpoint


async def _unmapped(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    state.counters.record(f"{request.method} <unmapped>", 400)
    return json_response({"error": UNMAPPED}, 400)


def build_app(state: EmulatorState, base_path: str, admin_path: str) -> web.Application:
    app = web.Application(client_max_size=1024**3)
    app[STATE_KEY] = state
    base = "/" + base_path.strip("/")
    for route in ALL_ROUTES:
        for version in route.versions:
            template = ROUTE_REGEX.sub(r"{\1}", route.pattern)
            key = f"{route.method} /v{version}{template}"
            handler = _endpoint(route, version, key)
            for path in {f"{base}/v{version}{route.pattern}", f"{base}/v{version}{route.pattern}/"}:
                if route.method == "GET":
                    app.router.add_get(path, handler)
                else:
                    app.router.add_route(route.method, path, handler)
    app.router.add_route("*", base + "/{tail:.*}", _unmapped)
    admin.register(app, admin_path, state)
    return app
