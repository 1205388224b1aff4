"""BigCommerce payloads on disk, assembled the way fetch assembles a snapshot.

Shared by the tests and by bench/render.py, so both render the same orders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
STORE_HASHES = {"order_100": "s4mpl3", "order_101": "brwln9"}


def _read(order: str, name: str) -> Any:
    return json.loads((FIXTURES / order / f"{name}.json").read_text(encoding="utf-8"))


def snapshot_payload(order: str) -> dict[str, Any]:
    """v2 bodies as returned, v3 bodies unwrapped from their ``data`` envelope."""
    return {
        "store_hash": STORE_HASHES[order],
        "seller": _read(order, "seller"),
        "order": _read(order, "order"),
        "products": _read(order, "products"),
        "shipping_addresses": _read(order, "shipping_addresses"),
        "shipments": _read(order, "shipments"),
        "taxes": _read(order, "taxes"),
        "coupons": _read(order, "coupons"),
        "transactions": _read(order, "transactions")["data"],
        "refunds": _read(order, "refunds")["data"],
    }
