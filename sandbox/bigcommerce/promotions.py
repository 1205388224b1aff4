"""Promotions v3: CRUD with filters, statuses ENABLED/DISABLED/INVALID, dates and rules,
read-only `current_uses`, and coupon codes with cursor pagination.

Errors use the promotions dialect `{errors: [{status, title}]}`. Promotions fire no webhooks
(none exist for them in the events list).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .envelopes import (
    Query,
    json_response,
    no_content,
    pagination_meta,
    read_json,
    v3_list,
    v3_object,
)
from .errors import ApiError, Dialect
from .formats import iso8601, parse_date_filter
from .routing import Route, RouteGroup, int_arg, store_of
from .seed_marketing import promotion
from .state import Store

PROMOTIONS = RouteGroup("marketing", Dialect.PROMOTIONS, ("store_v2_marketing",))
SORTS = {"id", "name", "priority", "start_date"}
WRITABLE = {
    "name",
    "display_name",
    "channels",
    "customer",
    "rules",
    "max_uses",
    "status",
    "start_date",
    "end_date",
    "stop",
    "can_be_used_with_other_promotions",
    "currency_code",
    "notifications",
    "shipping_address",
    "schedule",
    "coupon_overrides_automatic_when_offering_higher_discounts",
}
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-")


def effective_status(store: Store, p: dict[str, Any]) -> str:
    """ENABLED turns DISABLED once `max_uses` is reached or the end date has passed."""
    if p["status"] != "ENABLED":
        return p["status"]
    if p["max_uses"] and p["current_uses"] >= p["max_uses"]:
        return "DISABLED"
    if p["end_date"] and p["end_date"] < iso8601(store.now()):
        return "DISABLED"
    return "ENABLED"


def render(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "status": effective_status(store, p)}


def get_promotion(store: Store, pid: int) -> dict[str, Any]:
    if pid not in store.promotions:
        raise ApiError(404, f"Promotion {pid} was not found.")
    return store.promotions[pid]


async def list_promotions(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    rows = [render(store, p) for p in store.promotions.values()]
    codes = {pid: {c["code"].lower() for c in cs} for pid, cs in store.promotion_codes.items()}

    def keep(p: dict[str, Any]) -> bool:
        checks = (
            ("id", lambda v: p["id"] == int(v)),
            ("name", lambda v: p["name"] == v),
            ("code", lambda v: v.lower() in codes.get(p["id"], ())),
            ("currency_code", lambda v: p["currency_code"] == v),
            ("redemption_type", lambda v: p["redemption_type"] == v.upper()),
            ("status", lambda v: p["status"] == v.upper()),
            (
                "channels",
                lambda v: (
                    not p["channels"]
                    or bool({c["id"] for c in p["channels"]} & {int(x) for x in v.split(",")})
                ),
            ),
            (
                "query",
                lambda v: v.lower() in p["name"].lower() or v.lower() in codes.get(p["id"], ()),
            ),
        )
        return all(q.get(name) is None or test(q.get(name)) for name, test in checks)

    try:
        rows = [p for p in rows if keep(p)]
    except ValueError:
        raise ApiError(400, "A filter has an invalid value.") from None
    field = q.get("sort") if q.get("sort") in SORTS else "id"
    key = "id" if field == "priority" else field
    rows.sort(
        key=lambda p: (p[key] or "", p["id"]) if key != "id" else p["id"],
        reverse=(q.get("direction") or "asc").lower() == "desc",
    )
    return v3_list(request, rows, dict)


def validated(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Apply writable fields; INVALID cannot be set, dates must parse and be ordered."""
    updated = {**current, **{k: v for k, v in body.items() if k in WRITABLE}}
    if not isinstance(updated["name"], str) or not updated["name"].strip():
        raise ApiError(422, "The name is required.")
    if "status" in body and body["status"] not in ("ENABLED", "DISABLED"):
        raise ApiError(422, "The status must be ENABLED or DISABLED (INVALID is read-only).")
    if (
        not isinstance(updated["rules"], list)
        or not updated["rules"]
        or not all(isinstance(r, dict) and "action" in r for r in updated["rules"])
    ):
        raise ApiError(422, "At least one rule with an action is required.")
    for key in ("start_date", "end_date"):
        if key in body and body[key] is not None:
            ts = parse_date_filter(str(body[key]))
            if ts is None:
                raise ApiError(422, f"The {key} must be an ISO 8601 date-time.")
            updated[key] = iso8601(ts)
    if (
        updated["end_date"]
        and updated["start_date"]
        and updated["end_date"] <= updated["start_date"]
    ):
        raise ApiError(422, "The end_date must be after the start_date.")
    return updated


def create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Create a promotion (POST and the admin API share this); `current_uses` starts at 0."""
    rtype = str(body.get("redemption_type", "")).upper()
    if rtype not in ("AUTOMATIC", "COUPON"):
        raise ApiError(422, "The redemption_type must be AUTOMATIC or COUPON.")
    pid = store.next_id("promotion")
    base = promotion(pid, "", redemption_type=rtype, start=store.now(), end=None, rules=[])
    created = validated(base, {"status": "ENABLED", **body})
    store.promotions[pid] = created
    if rtype == "COUPON":
        store.promotion_codes[pid] = []
    return created


async def create_promotion(request: web.Request) -> web.Response:
    store = store_of(request)
    return v3_object(render(store, create(store, await read_json(request))), status=201)


async def one_promotion(request: web.Request) -> web.Response:
    store = store_of(request)
    return v3_object(render(store, get_promotion(store, int_arg(request, "promotion_id"))))


async def update_promotion(request: web.Request) -> web.Response:
    store = store_of(request)
    current = get_promotion(store, int_arg(request, "promotion_id"))
    updated = validated(current, await read_json(request))
    store.promotions[current["id"]] = updated
    return v3_object(render(store, updated))


async def delete_promotion(request: web.Request) -> web.Response:
    store = store_of(request)
    pid = get_promotion(store, int_arg(request, "promotion_id"))["id"]
    del store.promotions[pid]
    store.promotion_codes.pop(pid, None)
    return no_content()


async def bulk_delete(request: web.Request) -> web.Response:
    store = store_of(request)
    ids = Query(request).ints("id:in")
    if not ids:
        raise ApiError(422, "The id:in filter is required for a bulk delete.")
    for pid in ids:
        store.promotions.pop(pid, None)
        store.promotion_codes.pop(pid, None)
    return no_content()


def _cursor(code_id: int) -> str:
    return base64.urlsafe_b64encode(str(code_id).encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except ValueError:
        raise ApiError(400, "The cursor is invalid.") from None


def codes_of(store: Store, request: web.Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    promo = get_promotion(store, int_arg(request, "promotion_id"))
    if promo["redemption_type"] != "COUPON":
        raise ApiError(400, "Only COUPON promotions have codes.")
    return promo, store.promotion_codes.setdefault(promo["id"], [])


async def list_codes(request: web.Request) -> web.Response:
    """Cursor pagination (`before`/`after`); classic `pagination` is also present."""
    store, q = store_of(request), Query(request)
    _, codes = codes_of(store, request)
    _, limit = q.page_limit()
    after, before = q.get("after"), q.get("before")
    if after:
        start = _decode(after)
        chunk = [c for c in codes if c["id"] > start][:limit]
    elif before:
        end = _decode(before)
        chunk = [c for c in codes if c["id"] < end][-limit:]
    else:
        chunk = codes[:limit]
    cursor: dict[str, Any] = {
        "count": len(chunk),
        "per_page": limit,
        "start_cursor": _cursor(chunk[0]["id"]) if chunk else None,
        "end_cursor": _cursor(chunk[-1]["id"]) if chunk else None,
        "links": {},
    }
    if chunk and chunk[-1]["id"] < codes[-1]["id"]:
        cursor["links"]["next"] = "?" + urlencode({"after": cursor["end_cursor"], "limit": limit})
    if chunk and chunk[0]["id"] > codes[0]["id"]:
        cursor["links"]["previous"] = "?" + urlencode(
            {"before": cursor["start_cursor"], "limit": limit}
        )
    meta = {
        "pagination": pagination_meta(request, len(codes), len(chunk), 1, limit),
        "cursor_pagination": cursor,
    }
    return json_response({"data": chunk, "meta": meta})


async def create_code(request: web.Request) -> web.Response:
    store = store_of(request)
    _, codes = codes_of(store, request)
    body = await read_json(request)
    code = body.get("code")
    if not isinstance(code, str) or not 1 <= len(code) <= 50 or set(code) - CODE_CHARS:
        raise ApiError(422, "The code must be 1-50 characters of letters, digits, space, _ -.")
    taken = {c["code"].lower() for cs in store.promotion_codes.values() for c in cs}
    if code.lower() in taken:
        raise ApiError(409, f"The coupon code {code} already exists.")
    row = {
        "id": store.next_id("promotion_code", 10_000),
        "code": code,
        "current_uses": 0,
        "max_uses": int(body.get("max_uses") or 0),
        "max_uses_per_customer": int(body.get("max_uses_per_customer") or 0),
        "created": iso8601(store.now()),
    }
    codes.append(row)
    return v3_object(row, status=201)


async def delete_codes(request: web.Request) -> web.Response:
    store = store_of(request)
    promo, codes = codes_of(store, request)
    ids = set(Query(request).ints("id:in") or ())
    store.promotion_codes[promo["id"]] = [c for c in codes if c["id"] not in ids]
    return no_content()


async def delete_code(request: web.Request) -> web.Response:
    store = store_of(request)
    promo, codes = codes_of(store, request)
    code_id = int_arg(request, "code_id")
    if all(c["id"] != code_id for c in codes):
        raise ApiError(404, f"Coupon code {code_id} was not found.")
    store.promotion_codes[promo["id"]] = [c for c in codes if c["id"] != code_id]
    return no_content()


ONE = "/v3/promotions/{promotion_id}"
ROUTES: list[Route] = [
    PROMOTIONS.get("/v3/promotions", list_promotions),
    PROMOTIONS.post("/v3/promotions", create_promotion),
    PROMOTIONS.delete("/v3/promotions", bulk_delete),
    PROMOTIONS.get(ONE, one_promotion),
    PROMOTIONS.put(ONE, update_promotion),
    PROMOTIONS.delete(ONE, delete_promotion),
    PROMOTIONS.get(f"{ONE}/codes", list_codes),
    PROMOTIONS.post(f"{ONE}/codes", create_code),
    PROMOTIONS.delete(f"{ONE}/codes", delete_codes),
    PROMOTIONS.delete(f"{ONE}/codes/{{code_id}}", delete_code),
]
