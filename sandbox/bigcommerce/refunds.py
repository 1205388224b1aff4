"""Orders v3: transactions, refund quotes, refund creation and the refund lists.

Errors here use the refunds dialect (`{data: [{status, title, type}]}`). Concurrent refunds
on one order are unsupported by the API; here validation and mutation run without yielding
to the event loop, so they are applied one after the other and never overspend.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .envelopes import Query, json_response, no_content, read_json, v3_list, v3_object
from .errors import ApiError, Dialect
from .formats import iso8601, money_num, to_cents
from .model import Order
from .refund_ops import Request, apply_refund, price_lines
from .routing import Route, RouteGroup, int_arg, store_of
from .state import Store

REFUNDS = RouteGroup("refunds", Dialect.REFUNDS, ("store_v2_transactions", "store_v2_orders"))
TRANSACTIONS = RouteGroup("refunds", Dialect.V3, ("store_v2_transactions",))


def order_of(request: web.Request) -> Order:
    order = store_of(request).orders.get(int_arg(request, "order_id"))
    if order is None:
        raise ApiError(404, "The resource at that URL is not found.")
    return order


def render_transaction(t: dict[str, Any]) -> dict[str, Any]:
    return {
        **t,
        "amount": money_num(t["amount"]),
        "date_created": iso8601(t["date_created"]),
        "payment_method_id": None,
        "avs_result": {},
        "cvv_result": {},
        "credit_card": None,
        "gift_certificate": None,
        "store_credit": None,
        "custom": None,
        "payment_instrument_token": None,
    }


def render_refund(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "created": iso8601(r["created"]),
        "total_amount": money_num(r["total_amount"]),
        "total_tax": money_num(r["total_tax"]),
        "items": [
            {
                **i,
                "requested_amount": None
                if i["requested_amount"] is None
                else money_num(i["requested_amount"]),
            }
            for i in r["items"]
        ],
        "payments": [{**p, "amount": money_num(p["amount"])} for p in r["payments"]],
    }


async def list_transactions(request: web.Request) -> web.Response:
    """204 when the order has none; the spec lists no paging parameters."""
    order = order_of(request)
    if not order.transactions:
        return no_content()
    data = [render_transaction(t) for t in order.transactions]
    pagination = {
        "total": len(data),
        "count": len(data),
        "per_page": len(data),
        "current_page": 1,
        "total_pages": 1,
        "links": {"current": "?page=1"},
    }
    return json_response({"data": data, "meta": {"pagination": pagination}})


def parse_items(body: dict[str, Any]) -> tuple[list[Request], list[str]]:
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise ApiError(422, "The field 'items' is required and must be a non-empty list.")
    parsed: list[Request] = []
    reasons = []
    for item in items:
        try:
            quantity = item.get("quantity")
            amount = item.get("amount")
            parsed.append(
                (
                    str(item["item_type"]),
                    int(item["item_id"]),
                    None if quantity is None else int(quantity),
                    None if amount is None else to_cents(amount),
                )
            )
            reasons.append(str(item.get("reason", "")))
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ApiError(
                422, "Each item needs item_type, item_id and quantity or amount."
            ) from None
    return parsed, reasons


async def quote(request: web.Request) -> web.Response:
    order = order_of(request)
    items, reasons = parse_items(await read_json(request))
    lines = price_lines(order, items, reasons)
    total = sum(line.amount for line in lines)
    provider = order.payment_method.lower().replace(" ", "")
    methods = [
        [
            {
                "provider_id": provider,
                "provider_description": order.payment_method,
                "amount": money_num(total),
                "offline": False,
                "offline_provider": False,
                "offline_reason": "",
            }
        ],
        [
            {
                "provider_id": "custom",
                "provider_description": "Manual refund",
                "amount": money_num(total),
                "offline": True,
                "offline_provider": True,
                "offline_reason": "Refunded outside BigCommerce",
            }
        ],
    ]
    order_level = sum(line.amount for line in lines if line.item_type == "ORDER")
    return v3_object(
        {
            "order_id": order.id,
            "total_refund_amount": money_num(total),
            "total_refund_tax_amount": money_num(sum(line.tax for line in lines)),
            "rounding": 0,
            "adjustment": 0,
            "is_tax_included": True,
            "order_level_refund_amount": money_num(order_level),
            "refund_methods": methods,
        }
    )


async def create_refund(request: web.Request) -> web.Response:
    """201 with the refund; the order's status, payment status and refunded amount move."""
    store, order = store_of(request), order_of(request)
    body = await read_json(request)
    items, reasons = parse_items(body)
    payments = body.get("payments")
    if not isinstance(payments, list) or not payments:
        raise ApiError(422, "The field 'payments' is required.")
    try:
        parsed = [
            {
                "provider_id": str(p["provider_id"]),
                "amount": to_cents(p["amount"]),
                "offline": bool(p.get("offline", False)),
            }
            for p in payments
        ]
    except (KeyError, TypeError, ValueError):
        raise ApiError(422, "Each payment needs provider_id and amount.") from None
    refund = apply_refund(
        store,
        order,
        items,
        reasons=reasons,
        payments=parsed,
        reason=str(body.get("reason", "")),
    )
    return v3_object(render_refund(refund), status=201)


def _refund_rows(store: Store, ids: list[int], q: Query) -> list[dict[str, Any]]:
    order_ids = q.ints("order_id:in")
    refund_ids = q.ints("id:in")
    lo, hi = q.date("created:min", allow_unix=True), q.date("created:max", allow_unix=True)
    txn = q.int("transaction_id")
    rows = []
    for rid in sorted(ids):
        r = store.refunds[rid]
        if (
            (order_ids is not None and r["order_id"] not in order_ids)
            or (refund_ids is not None and rid not in refund_ids)
            or (lo is not None and r["created"] < lo)
            or (hi is not None and r["created"] > hi)
            or (txn is not None and all(p["transaction_id"] != txn for p in r["payments"]))
        ):
            continue
        rows.append(r)
    return rows


async def order_refunds(request: web.Request) -> web.Response:
    order = order_of(request)
    rows = _refund_rows(store_of(request), order.refund_ids, Query(request))
    return v3_list(request, rows, render_refund)


async def store_refunds(request: web.Request) -> web.Response:
    """Store-wide, by refund id ascending; we include `meta.pagination` (unconfirmed)."""
    store = store_of(request)
    return v3_list(request, _refund_rows(store, list(store.refunds), Query(request)), render_refund)


async def one_refund(request: web.Request) -> web.Response:
    refund = store_of(request).refunds.get(int_arg(request, "refund_id"))
    if refund is None:
        raise ApiError(404, "The resource at that URL is not found.")
    return v3_object(render_refund(refund))


ROUTES: list[Route] = [
    TRANSACTIONS.get("/v3/orders/{order_id}/transactions", list_transactions),
    REFUNDS.post("/v3/orders/{order_id}/payment_actions/refund_quotes", quote),
    REFUNDS.post("/v3/orders/{order_id}/payment_actions/refunds", create_refund),
    REFUNDS.get("/v3/orders/{order_id}/payment_actions/refunds", order_refunds),
    REFUNDS.get("/v3/orders/payment_actions/refunds", store_refunds),
    REFUNDS.get("/v3/orders/payment_actions/refunds/{refund_id}", one_refund),
]
