"""Orders v2 sub-resources: products, shipping addresses, shipments, coupons, taxes,
messages, consignments and fees. Empty lists are 204, like every v2 list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import order_ops
from .envelopes import Query, json_response, no_content, read_json, v2_list
from .errors import ApiError
from .model import Order
from .order_views import (
    render_address,
    render_consignments,
    render_coupon,
    render_fee,
    render_message,
    render_product,
    render_shipment,
    tax_rows,
)
from .orders import ORDERS, get_order
from .routing import Route, int_arg, store_of

BASE = "/v2/orders/{order_id}"
ADDRESS_FIELDS = {
    "first_name",
    "last_name",
    "company",
    "street_1",
    "street_2",
    "city",
    "state",
    "zip",
    "country",
    "country_iso2",
    "phone",
    "email",
}
SHIPMENT_WRITABLE = {
    "tracking_number",
    "tracking_carrier",
    "shipping_provider",
    "comments",
    "order_address_id",
}


def order_of(request: web.Request) -> Order:
    return get_order(store_of(request), int_arg(request, "order_id"))


def find(rows: list[Any], key: str, value: int) -> Any:
    for row in rows:
        if (row[key] if isinstance(row, dict) else getattr(row, key)) == value:
            return row
    raise ApiError(404)


async def list_products(request: web.Request) -> web.Response:
    return v2_list(request, order_of(request).items, render_product)


async def get_product(request: web.Request) -> web.Response:
    item = find(order_of(request).items, "id", int_arg(request, "product_id"))
    return json_response(render_product(item))


async def list_addresses(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    return v2_list(request, order.addresses, lambda a: render_address(store, order, a))


async def get_address(request: web.Request) -> web.Response:
    order = order_of(request)
    address = find(order.addresses, "id", int_arg(request, "address_id"))
    return json_response(render_address(store_of(request), order, address))


async def update_address(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    address = find(order.addresses, "id", int_arg(request, "address_id"))
    body = await read_json(request)
    bad = set(body) - ADDRESS_FIELDS
    if bad:
        raise ApiError(
            400,
            f"The field '{sorted(bad)[0]}' cannot be written to. Please remove "
            "it from your request before trying again.",
        )
    address.address = {**address.address, **body}
    order_ops.updated(store, order)
    return json_response(render_address(store, order, address))


async def shipping_quotes(request: web.Request) -> web.Response:
    order = order_of(request)
    find(order.addresses, "id", int_arg(request, "address_id"))
    return v2_list(request, [], dict)


async def list_shipments(request: web.Request) -> web.Response:
    order = order_of(request)
    return v2_list(request, order.shipments, lambda s: render_shipment(order, s))


async def count_shipments(request: web.Request) -> web.Response:
    return json_response({"count": len(order_of(request).shipments)})


async def create_shipment(request: web.Request) -> web.Response:
    """POST needs `order_address_id` and `items` (DOC-ORD); 201 with the shipment."""
    store, order = store_of(request), order_of(request)
    body = await read_json(request)
    if "order_address_id" not in body or not isinstance(body.get("items"), list):
        raise ApiError(400, "The fields 'order_address_id' and 'items' are required.")
    shipment = order_ops.ship(
        store,
        order,
        order_address_id=int(body["order_address_id"]),
        items=body["items"],
        tracking_number=str(body.get("tracking_number", "")),
        tracking_carrier=str(body.get("tracking_carrier", "")),
        shipping_provider=str(body.get("shipping_provider", "")),
        comments=str(body.get("comments", "")),
    )
    return json_response(render_shipment(order, shipment), status=201)


async def get_shipment(request: web.Request) -> web.Response:
    order = order_of(request)
    return json_response(
        render_shipment(order, find(order.shipments, "id", int_arg(request, "shipment_id")))
    )


async def update_shipment(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    shipment = find(order.shipments, "id", int_arg(request, "shipment_id"))
    body = await read_json(request)
    bad = set(body) - SHIPMENT_WRITABLE
    if bad:
        raise ApiError(
            400,
            f"The field '{sorted(bad)[0]}' cannot be written to. Please remove "
            "it from your request before trying again.",
        )
    shipment.update({k: v for k, v in body.items() if k != "order_address_id"})
    if "tracking_number" in body or "tracking_carrier" in body:
        shipment["tracking_link"] = order_ops.tracking_link(
            shipment["tracking_carrier"], shipment["tracking_number"]
        )
    store.emit(
        "store/shipment/updated", {"type": "shipment", "id": shipment["id"], "orderId": order.id}
    )
    order_ops.updated(store, order)
    return json_response(render_shipment(order, shipment))


def _unship(store: Any, order: Order, shipment: dict[str, Any]) -> None:
    by_id = {i.id: i for i in order.items}
    for row in shipment["items"]:
        by_id[row["order_product_id"]].quantity_shipped -= row["quantity"]
    order.shipments.remove(shipment)
    store.emit(
        "store/shipment/deleted", {"type": "shipment", "id": shipment["id"], "orderId": order.id}
    )


async def delete_shipment(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    _unship(store, order, find(order.shipments, "id", int_arg(request, "shipment_id")))
    order_ops.updated(store, order)
    return no_content()


async def delete_shipments(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    for shipment in list(order.shipments):
        _unship(store, order, shipment)
    order_ops.updated(store, order)
    return no_content()


async def list_coupons(request: web.Request) -> web.Response:
    return v2_list(request, order_of(request).coupons, render_coupon)


async def list_taxes(request: web.Request) -> web.Response:
    order = order_of(request)
    return v2_list(request, tax_rows(order, bool(Query(request).bool("details"))), dict)


async def list_messages(request: web.Request) -> web.Response:
    store, order, q = store_of(request), order_of(request), Query(request)
    checks = [
        ("min_id", q.int("min_id"), lambda m, v: m["id"] >= v),
        ("max_id", q.int("max_id"), lambda m, v: m["id"] <= v),
        ("customer_id", q.int("customer_id"), lambda m, v: m["customer_id"] == v),
        ("min_date_created", q.date("min_date_created"), lambda m, v: m["date_created"] >= v),
        ("max_date_created", q.date("max_date_created"), lambda m, v: m["date_created"] <= v),
        ("is_flagged", q.bool("is_flagged"), lambda m, v: m["is_flagged"] == v),
        ("status", q.get("status"), lambda m, v: m["status"] == v),
    ]
    rows = [m for m in order.messages if all(v is None or test(m, v) for _, v, test in checks)]
    return v2_list(request, rows, lambda m: render_message(order, m, store))


async def consignments(request: web.Request) -> web.Response:
    store, order = store_of(request), order_of(request)
    return json_response(render_consignments(store, order, with_items=True))


async def list_fees(request: web.Request) -> web.Response:
    return v2_list(request, order_of(request).fees, render_fee)


ROUTES: list[Route] = [
    ORDERS.get(f"{BASE}/products", list_products),
    ORDERS.get(f"{BASE}/products/{{product_id}}", get_product),
    ORDERS.get(f"{BASE}/shipping_addresses", list_addresses),
    ORDERS.get(f"{BASE}/shipping_addresses/{{address_id}}", get_address),
    ORDERS.put(f"{BASE}/shipping_addresses/{{address_id}}", update_address),
    ORDERS.get(f"{BASE}/shipping_addresses/{{address_id}}/shipping_quotes", shipping_quotes),
    ORDERS.get(f"{BASE}/shipments", list_shipments),
    ORDERS.post(f"{BASE}/shipments", create_shipment),
    ORDERS.delete(f"{BASE}/shipments", delete_shipments),
    ORDERS.get(f"{BASE}/shipments/count", count_shipments),
    ORDERS.get(f"{BASE}/shipments/{{shipment_id}}", get_shipment),
    ORDERS.put(f"{BASE}/shipments/{{shipment_id}}", update_shipment),
    ORDERS.delete(f"{BASE}/shipments/{{shipment_id}}", delete_shipment),
    ORDERS.get(f"{BASE}/coupons", list_coupons),
    ORDERS.get(f"{BASE}/taxes", list_taxes),
    ORDERS.get(f"{BASE}/messages", list_messages),
    ORDERS.get(f"{BASE}/consignments", consignments),
    ORDERS.get(f"{BASE}/fees", list_fees),
]
