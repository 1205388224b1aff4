"""An order listed with `include=consignments.line_items` already holds its line items
and shipping addresses; reading them from there saves two calls per order.

Shape (reference §4.2, emulator choices): `consignments` is a one-element array (an object
with `consignment_structure=object`) of `{pickups, shipping, downloads, email}`; each
shipping entry is the shipping-address record plus its `line_items`, and downloads carry
the digital lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_WITH_LINES = ("shipping", "downloads", "pickups")


def order_parts(order: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(products, shipping addresses) as `/products` and `/shipping_addresses` give them.

    Raises KeyError when the order was fetched without its line items, so a caller can
    never mistake "not included" for "no lines".
    """
    consignments = order["consignments"]
    groups = consignments if isinstance(consignments, list) else [consignments]
    products: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    for group in groups:
        for kind in _WITH_LINES:
            for part in group.get(kind) or []:
                lines = part["line_items"]
                if not isinstance(lines, list):
                    raise KeyError("line_items (list the orders with consignments.line_items)")
                products.extend(lines)
                if kind == "shipping":
                    addresses.append({k: v for k, v in part.items() if k != "line_items"})
    return sorted(products, key=lambda p: p["id"]), sorted(addresses, key=lambda a: a["id"])
