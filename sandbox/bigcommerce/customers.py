"""Customers v3 list (customers.v3.yml `GET /customers`) over the seeded customers.

Offset paging (`page`, `limit`) in the v3 `{data, meta.pagination}` envelope; filters
`id:in`, `email:in`, `company:in`, `customer_group_id:in` and the `date_created` /
`date_modified` bounds; `sort` as the spec enumerates it. Sub-resources appear only when
`include` names them, as the spec says of `addresses`, `storecredit`, `attributes` and
`formfields`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .envelopes import Query, v3_list
from .errors import Dialect
from .filters import Kind, v3_filter
from .formats import iso8601
from .routing import Route, RouteGroup, store_of

CUSTOMERS = RouteGroup("customers", Dialect.V3, ("store_v2_customers",))
FILTERS: dict[str, Kind] = {
    "id": "int",
    "email": "str",
    "company": "str",
    "customer_group_id": "int",
    "date_created": "date",
    "date_modified": "date",
}
SORTS = ("date_created", "date_modified", "last_name")


def render_address(customer: dict[str, Any], n: int, address: dict[str, Any]) -> dict[str, Any]:
    """`address_Full`; seeded addresses carry no id, so it is derived from the customer's."""
    return {
        "id": customer["id"] * 100 + n + 1,
        "customer_id": customer["id"],
        "first_name": address["first_name"],
        "last_name": address["last_name"],
        "company": address["company"],
        "address1": address["street_1"],
        "address2": address["street_2"],
        "city": address["city"],
        "state_or_province": address["state"],
        "postal_code": address["zip"],
        "country_code": address["country_iso2"],
        "country": address["country"],
        "phone": address["phone"],
        "address_type": "residential",
    }


def render_customer(customer: dict[str, Any], includes: set[str]) -> dict[str, Any]:
    """`customer_Full` with the fields the spec lists; dates in ISO 8601."""
    body: dict[str, Any] = {
        "id": customer["id"],
        "email": customer["email"],
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": customer["company"],
        "phone": customer["phone"],
        "registration_ip_address": "",
        "notes": "",
        "tax_exempt_category": "",
        "customer_group_id": 0,
        "date_created": iso8601(customer["date_created"]),
        "date_modified": iso8601(customer["date_modified"]),
        "address_count": len(customer["addresses"]),
        "attribute_count": 0,
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": False,
        "origin_channel_id": 1,
        "channel_ids": None,
    }
    if "addresses" in includes:
        body["addresses"] = [
            render_address(customer, n, a) for n, a in enumerate(customer["addresses"])
        ]
    if "storecredit" in includes:
        body["store_credit_amounts"] = [{"amount": 0}]
    if "attributes" in includes:
        body["attributes"] = []
    if "formfields" in includes:
        body["form_fields"] = []
    return body


async def list_customers(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    includes = q.includes()
    rows = [render_customer(c, includes) for c in store.customers.values()]
    rows = v3_filter(q, FILTERS, rows)
    field, _, direction = (q.get("sort") or "").partition(":")
    if field in SORTS:
        rows.sort(key=lambda r: (r[field], r["id"]), reverse=direction == "desc")
    return v3_list(request, rows, dict)


ROUTES: list[Route] = [CUSTOMERS.get("/v3/customers", list_customers)]
