"""Fetch on poison data: whatever the store holds, a bad order is refused as
InvalidSnapshot (dead-lettered at once, never retried) with the field it got wrong."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.flows.commerce.order_fetch import InvalidSnapshot, fetch_order_snapshot
from tests.documents.payloads import snapshot_payload


class StoreWith:
    """A client answering with one order as the v2 API shows it, consignments included."""

    def __init__(self, **order_changes: Any) -> None:
        self.payload = snapshot_payload("order_100")
        addresses = self.payload["shipping_addresses"]
        lines = self.payload["products"]
        shipping = [
            {**a, "line_items": [p for p in lines if p["order_address_id"] == a["id"]]}
            for a in addresses
        ]
        consignments = [{"shipping": shipping, "downloads": [], "pickups": []}]
        self.order = {**self.payload["order"], "consignments": consignments, **order_changes}

    def get_order(self, order_id: int) -> dict[str, Any]:
        return self.order

    def store_information(self) -> dict[str, Any]:
        return {"name": "Poison Test Store"}

    def order_shipments(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.payload["shipments"])

    def order_taxes(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.payload["taxes"])

    def order_coupons(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.payload["coupons"])

    def order_transactions(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.payload["transactions"])

    def order_refunds(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.payload["refunds"])


def test_the_fixture_order_fetches() -> None:
    snapshot = fetch_order_snapshot(StoreWith(), "s4mpl3", 100)  # type: ignore[arg-type]
    assert snapshot.order.id == 100


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("items_shipped", "two"),  # was a bare ValueError naming nothing
        ("items_shipped", {"count": 2}),
        ("total_inc_tax", "1.234,50"),
        ("date_created", "31/02/2024 25:61"),
        ("total_inc_tax", "-12.0000"),
    ],
)
def test_a_bad_field_is_refused_as_invalid_snapshot_naming_it(field: str, value: Any) -> None:
    client = StoreWith(**{field: value})
    with pytest.raises(InvalidSnapshot, match=field):
        fetch_order_snapshot(client, "s4mpl3", 100)  # type: ignore[arg-type]
