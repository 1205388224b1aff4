"""Fixtures: API payloads on disk, assembled the way fetch assembles a snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schemas.snapshot import OrderSnapshot

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


@pytest.fixture
def shipped_order() -> OrderSnapshot:
    """Order 100: German store, one consignment, shipped, one refund, two transactions."""
    return OrderSnapshot.load(snapshot_payload("order_100"))


@pytest.fixture
def international_order() -> OrderSnapshot:
    """Order 101: US store, two consignments (Japan, UAE), awaiting fulfilment, no tax."""
    return OrderSnapshot.load(snapshot_payload("order_101"))
