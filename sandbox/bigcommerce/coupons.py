"""Coupons v2: bare arrays, 204 when empty, money as 4-decimal strings, RFC 2822 dates,
and no `date_modified` (which is why pollers sync coupons as a full table)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .envelopes import Query, json_response, no_content, read_json, v2_list
from .errors import ApiError, Dialect
from .formats import money4, rfc2822, to_cents
from .routing import Route, RouteGroup, int_arg, store_of
from .state import Store

COUPONS = RouteGroup("marketing", Dialect.V2, ("store_v2_marketing",))
TYPES = {
    "per_item_discount",
    "per_total_discount",
    "shipping_discount",
    "free_shipping",
    "percentage_discount",
    "promotion",
}
WRITABLE = {
    "name",
    "type",
    "amount",
    "min_purchase",
    "expires",
    "enabled",
    "code",
    "applies_to",
    "max_uses",
    "max_uses_per_customer",
    "restricted_to",
    "shipping_methods",
}


def render(c: dict[str, Any]) -> dict[str, Any]:
    return {**c, "date_created": rfc2822(c["date_created"])}


def filtered(store: Store, q: Query) -> list[dict[str, Any]]:
    checks = (
        ("id", q.int("id"), lambda c, v: c["id"] == v),
        ("code", q.get("code"), lambda c, v: c["code"] == v),
        ("name", q.get("name"), lambda c, v: c["name"] == v),
        ("type", q.get("type"), lambda c, v: c["type"] == v),
        ("exclude_type", q.get("exclude_type"), lambda c, v: c["type"] != v),
        ("min_id", q.int("min_id"), lambda c, v: c["id"] >= v),
        ("max_id", q.int("max_id"), lambda c, v: c["id"] <= v),
    )
    return [
        c
        for c in sorted(store.coupons.values(), key=lambda c: c["id"])
        if all(v is None or test(c, v) for _, v, test in checks)
    ]


async def list_coupons(request: web.Request) -> web.Response:
    return v2_list(request, filtered(store_of(request), Query(request)), render)


async def count_coupons(request: web.Request) -> web.Response:
    return json_response({"count": len(filtered(store_of(request), Query(request)))})


def get_coupon(request: web.Request) -> dict[str, Any]:
    coupon = store_of(request).coupons.get(int_arg(request, "coupon_id"))
    if coupon is None:
        raise ApiError(404)
    return coupon


async def one_coupon(request: web.Request) -> web.Response:
    return json_response(render(get_coupon(request)))


def validated(store: Store, current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    bad = set(body) - WRITABLE
    if bad:
        raise ApiError(
            400,
            f"The field '{sorted(bad)[0]}' cannot be written to. Please remove "
            "it from your request before trying again.",
        )
    updated = {**current, **body}
    if updated["type"] not in TYPES:
        raise ApiError(400, f"The field 'type' must be one of {sorted(TYPES)}.")
    if not updated["code"] or not updated["name"]:
        raise ApiError(400, "The fields 'name' and 'code' are required.")
    if any(
        c["code"] == updated["code"] and c["id"] != current["id"] for c in store.coupons.values()
    ):
        raise ApiError(409, f"The coupon code '{updated['code']}' is already in use.")
    for key in ("amount", "min_purchase"):
        try:
            updated[key] = money4(to_cents(updated[key]))
        except (TypeError, ValueError):
            raise ApiError(400, f"The field '{key}' must be a number.") from None
    return updated


async def create_coupon(request: web.Request) -> web.Response:
    store = store_of(request)
    cid = store.next_id("coupon", max(store.coupons, default=0) + 1)
    blank = {
        "id": cid,
        "name": "",
        "type": "",
        "amount": "0",
        "min_purchase": "0",
        "expires": "",
        "enabled": True,
        "code": "",
        "applies_to": {"entity": "categories", "ids": [0]},
        "num_uses": 0,
        "max_uses": 0,
        "max_uses_per_customer": 0,
        "restricted_to": {},
        "shipping_methods": [],
        "date_created": store.now(),
    }
    coupon = validated(store, blank, await read_json(request))
    store.coupons[cid] = coupon
    return json_response(render(coupon), status=201)


async def update_coupon(request: web.Request) -> web.Response:
    store = store_of(request)
    coupon = validated(store, get_coupon(request), await read_json(request))
    store.coupons[coupon["id"]] = coupon
    return json_response(render(coupon))


async def delete_coupon(request: web.Request) -> web.Response:
    del store_of(request).coupons[get_coupon(request)["id"]]
    return no_content()


ROUTES: list[Route] = [
    COUPONS.get("/v2/coupons", list_coupons),
    COUPONS.post("/v2/coupons", create_coupon),
    COUPONS.get("/v2/coupons/count", count_coupons),
    COUPONS.get("/v2/coupons/{coupon_id}", one_coupon),
    COUPONS.put("/v2/coupons/{coupon_id}", update_coupon),
    COUPONS.delete("/v2/coupons/{coupon_id}", delete_coupon),
]
