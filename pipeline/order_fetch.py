"""Fetch: read one order and everything its documents show, as one validated snapshot."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from marshmallow import ValidationError

from pipeline.bigcommerce.client import BigCommerceClient
from pipeline.bigcommerce.consignments import order_parts
from pipeline.errors import PermanentError
from schemas.snapshot import OrderSnapshot


class InvalidSnapshot(PermanentError):
    """BigCommerce returned an order the schema refuses; a person must look at it."""


def seller_of(store: dict[str, Any]) -> dict[str, Any]:
    """The merchant block printed on documents, from `GET /v2/store`."""
    address = [line.strip() for line in str(store.get("address", "")).splitlines() if line.strip()]
    return {
        "legal_name": store.get("name") or store.get("domain") or "BigCommerce store",
        "address_lines": address,
        "country_iso2": store.get("country_code", ""),
        "email": store.get("admin_email", ""),
    }


@lru_cache(maxsize=64)
def _seller(client: BigCommerceClient) -> dict[str, Any]:
    """Store details change rarely; one call per worker process and store."""
    return seller_of(client.store_information())


def fetch_order_snapshot(
    client: BigCommerceClient, store_hash: str, order_id: int
) -> OrderSnapshot:
    """Read the order and its parts in as few calls as the API allows, and validate them.

    The order comes with its consignments and line items (one call for the order, its
    lines and addresses); each other part is asked for only when the order says it has
    some: shipments when items shipped, transactions when a payment status is set,
    refunds when money was refunded, coupons when a coupon discount applies. Taxes are
    always read: every document with money on it shows them.
    """
    order = client.get_order(order_id)
    products, shipping_addresses = order_parts(order)
    payload = {
        "store_hash": store_hash,
        "seller": _seller(client),
        "order": order,
        "products": products,
        "shipping_addresses": shipping_addresses,
        "shipments": client.order_shipments(order_id) if _count(order, "items_shipped") else [],
        "taxes": client.order_taxes(order_id),
        "coupons": client.order_coupons(order_id) if _amount(order, "coupon_discount") else [],
        "transactions": client.order_transactions(order_id) if order.get("payment_status") else [],
        "refunds": client.order_refunds(order_id) if _amount(order, "refunded_amount") else [],
    }
    try:
        return OrderSnapshot.load(payload)
    except ValidationError as exc:
        raise InvalidSnapshot(
            f"order {order_id} of {store_hash}: {exc.normalized_messages()}"
        ) from exc


def _count(order: dict[str, Any], name: str) -> int:
    """A v2 counter; an unreadable one counts as "some", like `_amount`, so the schema
    refuses the order naming the field (a bare ValueError here named nothing, and took
    reconciliation down with it)."""
    try:
        return int(order.get(name) or 0)
    except (TypeError, ValueError):
        return 1


def _amount(order: dict[str, Any], name: str) -> Decimal:
    """A v2 money string; an unparseable one counts as "some", so the part is fetched."""
    try:
        return Decimal(str(order.get(name) or 0))
    except InvalidOperation:
        return Decimal(1)
