"""Snapshots of the fixture orders, as every test module uses them."""

from __future__ import annotations

import pytest

from schemas.snapshot import OrderSnapshot
from tests.documents.payloads import snapshot_payload


@pytest.fixture
def shipped_order() -> OrderSnapshot:
    """Order 100: German store, one consignment, shipped, one refund, two transactions."""
    return OrderSnapshot.load(snapshot_payload("order_100"))


@pytest.fixture
def international_order() -> OrderSnapshot:
    """Order 101: US store, two consignments (Japan, UAE), awaiting fulfilment, no tax."""
    return OrderSnapshot.load(snapshot_payload("order_101"))
