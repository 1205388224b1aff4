"""The admin HTTP API under `/admin`: the control API for other processes (Celery workers,
benchmarks, demos). Loopback only, no token, not rate limited, not counted."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .control import Control
from .envelopes import json_response
from .errors import ApiError

CONTROL = web.AppKey("control", Control)
INFO = web.AppKey("info", dict)

Action = Callable[[Control, web.Request, dict[str, Any]], Any]


def _action(fn: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap an action: parse the JSON body, run it, answer JSON or a `{status, title}` error."""

    async def handler(request: web.Request) -> web.Response:
        try:
            raw = await request.read()
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ApiError(400, "The body must be a JSON object.")
            result = fn(request.app[CONTROL], request, body)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as err:
            return json_response(
                {"status": err.status, "title": err.title, "errors": err.errors}, err.status
            )
        except (ValueError, TypeError, KeyError) as exc:
            return json_response({"status": 400, "title": f"Bad request: {exc}"}, 400)
        return json_response(result)

    return handler


def _id(request: web.Request, name: str = "id") -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ApiError(404) from None


def _ints(request: web.Request) -> dict[str, int]:
    """`product_id` / `variant_id` query filters of an admin read."""
    return {k: int(v) for k, v in request.query.items() if k in ("product_id", "variant_id")}


ACTIONS: list[tuple[str, str, Action]] = [
    ("GET", "", lambda c, r, b: r.app[INFO]),
    ("POST", "/orders", lambda c, r, b: c.place_order(**b)),
    ("PUT", "/orders/{id}/status", lambda c, r, b: c.set_status(_id(r), b["status_id"])),
    ("POST", "/orders/{id}/shipments", lambda c, r, b: c.ship(_id(r), **b)),
    ("POST", "/orders/{id}/refunds", lambda c, r, b: c.refund(_id(r), **b)),
    ("POST", "/orders/{id}/messages", lambda c, r, b: c.post_message(_id(r), **b)),
    ("PUT", "/pages/{id}", lambda c, r, b: c.edit_page(_id(r), **b)),
    ("PUT", "/pages/{id}/silently", lambda c, r, b: c.edit_page_silently(_id(r), **b)),
    ("GET", "/disclosures/changes", lambda c, r, b: {"changes": c.disclosure_changes()}),
    ("PUT", "/products/{id}/price", lambda c, r, b: c.change_price(_id(r), **b)),
    ("GET", "/prices/history", lambda c, r, b: {"changes": c.price_history(**_ints(r))}),
    ("POST", "/promotions", lambda c, r, b: c.create_promotion(**b)),
    ("POST", "/clock", lambda c, r, b: c.advance_clock(b["advance_s"])),
    ("GET", "/faults", lambda c, r, b: c.faults()),
    ("PUT", "/faults", lambda c, r, b: c.set_faults(**b)),
    ("DELETE", "/faults", lambda c, r, b: c.set_faults()),
    ("PUT", "/rate-limit", lambda c, r, b: c.set_rate_limit(**b)),
    ("GET", "/writes", lambda c, r, b: {"writes": c.applied_writes()}),
    ("DELETE", "/writes", lambda c, r, b: c.clear_applied_writes()),
    ("GET", "/counters", lambda c, r, b: c.request_counters()),
    ("DELETE", "/counters", lambda c, r, b: c.reset_counters()),
    ("GET", "/counters/refusals", lambda c, r, b: c.refusal_counters()),
    ("POST", "/tokens", lambda c, r, b: c.add_token(**b)),
    ("GET", "/webhooks/attempts", lambda c, r, b: c.webhook_attempts()),
    ("GET", "/webhooks/notifications", lambda c, r, b: c.webhook_notifications()),
    ("GET", "/webhooks/pending", lambda c, r, b: {"pending": c.webhooks_pending()}),
]


def add_admin_routes(app: web.Application, control: Control, info: dict[str, Any]) -> None:
    app[CONTROL] = control
    app[INFO] = info
    for method, path, fn in ACTIONS:
        app.router.add_route(method, "/admin" + path, _action(fn))
