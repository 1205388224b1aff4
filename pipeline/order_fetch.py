"""Fetch: read one order and everything its documents show, as one validated snapshot."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from marshmallow import ValidationError

from pipeline.bigcommerce.client import BigCommerceClient
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
    """Read the order and its parts and validate them into a snapshot."""
    payload = {
        "store_hash": store_hash,
        "seller": _seller(client),
        "order": client.get_order(order_id, include=()),
        "products": client.order_products(order_id),
        "shipping_addresses": client.order_shipping_addresses(order_id),
        "shipments": client.order_shipments(order_id),
        "taxes": client.order_taxes(order_id),
        "coupons": client.order_coupons(order_id),
        "transactions": client.order_transactions(order_id),
        "refunds": client.order_refunds(order_id),
    }
    try:
        return OrderSnapshot.load(payload)
    except ValidationError as exc:
        raise InvalidSnapshot(
            f"order {order_id} of {store_hash}: {exc.normalized_messages()}"
        ) from exc
