"""Orders v2: list with every documented filter, count, one order, create/update/archive,
and the order statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from aiohttp import web

from . import order_ops
from .envelopes import Query, json_response, no_content, read_json, v2_list
from .errors import ApiError, Dialect
from .model import ORDER_STATUSES, STATUS_NAMES, Order
from .order_views import render_order
from .routing import Route, RouteGroup, int_arg, store_of
from .state import Store

ORDERS = RouteGroup("orders", Dialect.V2, ("store_v2_orders",))
SORT_ATTRS = {
    "id": "id",
    "customer_id": "customer_id",
    "date_created": "created",
    "date_modified": "modified",
    "status_id": "status_id",
    "channel_id": "channel_id",
    "external_id": "external_id",
}
WRITABLE = {
    "status_id",
    "staff_notes",
    "customer_message",
    "billing_address",
    "payment_method",
    "is_email_opt_in",
    "external_id",
    "customer_locale",
}


def get_order(store: Store, order_id: int) -> Order:
    order = store.orders.get(order_id)
    if order is None:
        raise ApiError(404)
    return order


def filtered_orders(store: Store, q: Query) -> Iterator[Order]:
    """Apply the list filters; dates accept RFC 2822 or ISO 8601 and bounds are inclusive."""
    min_id, max_id = q.int("min_id"), q.int("max_id")
    preds: list[Callable[[Order], bool]] = []

    def add(value: Any, pred: Callable[[Order, Any], bool]) -> None:
        if value is not None:
            preds.append(lambda o: pred(o, value))

    add(q.float("min_total"), lambda o, v: o.total_inc >= round(v * 100))
    add(q.float("max_total"), lambda o, v: o.total_inc <= round(v * 100))
    add(q.int("customer_id"), lambda o, v: o.customer_id == v)
    add(q.get("email"), lambda o, v: o.email.lower() == v.lower())
    add(q.int("status_id"), lambda o, v: o.status_id == v)
    add(q.get("cart_id"), lambda o, v: o.cart_id == v)
    add(q.get("payment_method"), lambda o, v: o.payment_method.lower() == v.lower())
    add(q.int("channel_id"), lambda o, v: o.channel_id == v)
    add(q.get("external_order_id"), lambda o, v: o.external_id == v)
    add(q.date("min_date_created"), lambda o, v: o.created >= v)
    add(q.date("max_date_created"), lambda o, v: o.created <= v)
    add(q.date("min_date_modified"), lambda o, v: o.modified >= v)
    add(q.date("max_date_modified"), lambda o, v: o.modified <= v)
    wants_archived = bool(q.bool("is_deleted"))
    if wants_archived or store.archived:
        add(wants_archived, lambda o, v: o.is_deleted == v)
    field, _, direction = (q.get("sort") or "id").partition(":")
    attr = SORT_ATTRS.get(field, "id")
    descending = direction.lower() == "desc"
    rows: Iterable[Order]
    if attr == "id":
        ids = store.orders_in_id_range(min_id, max_id)
        rows = map(store.orders.__getitem__, reversed(ids) if descending else ids)
    else:
        rows = store.orders_sorted_by(attr, descending)
        add(min_id, lambda o, v: o.id >= v)
        add(max_id, lambda o, v: o.id <= v)
    if not preds:
        return iter(rows)
    return (o for o in rows if all(p(o) for p in preds))


async def list_orders(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    includes = q.includes()
    rows = filtered_orders(store, q)
    if q.get("consignment_structure") != "object":
        return v2_list(request, rows, lambda o: _array_consignments(store, o, includes))
    return v2_list(request, rows, lambda o: render_order(store, o, includes))


def _array_consignments(store: Store, o: Order, includes: set[str]) -> dict[str, Any]:
    """Without `consignment_structure=object`, consignments come as a one-element array."""
    body = render_order(store, o, includes)
    if "consignments" in body:
        body["consignments"] = [body["consignments"]]
    return body


async def count_orders(request: web.Request) -> web.Response:
    store = store_of(request)
    counts = dict.fromkeys(STATUS_NAMES, 0)
    for o in filtered_orders(store, Query(request)):
        counts[o.status_id] += 1
    statuses = [{**render_status(sid), "count": counts[sid]} for sid, _, _ in ORDER_STATUSES]
    return json_response({"count": sum(counts.values()), "statuses": statuses})


async def get_one(request: web.Request) -> web.Response:
    store = store_of(request)
    order = get_order(store, int_arg(request, "order_id"))
    return json_response(_array_consignments(store, order, Query(request).includes()))


async def update_order(request: web.Request) -> web.Response:
    store = store_of(request)
    order = get_order(store, int_arg(request, "order_id"))
    body = await read_json(request)
    for name in body:
        if name not in WRITABLE:
            raise ApiError(
                400,
                f"The field '{name}' cannot be written to. Please remove it "
                "from your request before trying again.",
            )
    if "billing_address" in body:
        if not isinstance(body["billing_address"], dict):
            raise ApiError(400, "The field 'billing_address' must be an object.")
        order.billing = {**order.billing, **body["billing_address"]}
    order.staff_notes = body.get("staff_notes", order.staff_notes)
    order.customer_message = body.get("customer_message", order.customer_message)
    order.payment_method = body.get("payment_method", order.payment_method)
    order.external_id = body.get("external_id", order.external_id) or ""
    if "status_id" in body and body["status_id"] != order.status_id:
        order_ops.set_status(store, order, _status(body["status_id"]))
    else:
        order_ops.updated(store, order)
    return json_response(render_order(store, order))


def _status(value: Any) -> int:
    if not isinstance(value, int) or value not in STATUS_NAMES:
        raise ApiError(400, f"The status_id {value!r} is not valid.")
    return value


async def create_order(request: web.Request) -> web.Response:
    """POST /v2/orders: the spec answers 200, not 201."""
    store = store_of(request)
    body = await read_json(request)
    products = body.get("products")
    if not isinstance(products, list) or not all(isinstance(p, dict) for p in products):
        raise ApiError(400, "The field 'products' is required and must be a list.")
    order = order_ops.place_order(
        store,
        customer_id=int(body.get("customer_id") or 0),
        lines=products,
        billing=body.get("billing_address"),
        shipping=body.get("shipping_addresses"),
        status_id=_status(body.get("status_id", 1)),
        payment_method=body.get("payment_method", "Manual"),
        channel_id=int(body.get("channel_id") or 1),
    )
    return json_response(render_order(store, order))


async def archive_one(request: web.Request) -> web.Response:
    store = store_of(request)
    order_ops.archive(store, get_order(store, int_arg(request, "order_id")))
    return no_content()


async def archive_all(request: web.Request) -> web.Response:
    store = store_of(request)
    for order in list(store.orders.values()):
        if not order.is_deleted:
            order_ops.archive(store, order)
    return no_content()


def render_status(sid: int) -> dict[str, Any]:
    _, name, description = ORDER_STATUSES[sid]
    return {
        "id": sid,
        "name": name,
        "system_label": name,
        "custom_label": name,
        "system_description": description,
        "order": sid,
    }


async def list_statuses(request: web.Request) -> web.Response:
    return json_response([render_status(sid) for sid, _, _ in ORDER_STATUSES])


async def get_status(request: web.Request) -> web.Response:
    sid = int_arg(request, "status_id")
    if sid not in STATUS_NAMES:
        raise ApiError(404)
    return json_response(render_status(sid))


ROUTES: list[Route] = [
    ORDERS.get("/v2/orders", list_orders),
    ORDERS.post("/v2/orders", create_order),
    ORDERS.delete("/v2/orders", archive_all),
    ORDERS.get("/v2/orders/count", count_orders),
    ORDERS.get("/v2/orders/{order_id}", get_one),
    ORDERS.put("/v2/orders/{order_id}", update_order),
    ORDERS.delete("/v2/orders/{order_id}", archive_one),
    ORDERS.get("/v2/order_statuses", list_statuses),
    ORDERS.get("/v2/order_statuses/{status_id}", get_status),
]
