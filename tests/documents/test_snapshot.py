"""The snapshot's canonical JSON: one byte form per content, reloadable, free of card data."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.documents.payloads import snapshot_payload


def test_canonical_json_round_trips(shipped_order: OrderSnapshot) -> None:
    assert OrderSnapshot.from_json_bytes(shipped_order.to_json_bytes()) == shipped_order


def test_canonical_json_sorts_keys_and_writes_decimals_and_dates_as_strings(
    shipped_order: OrderSnapshot,
) -> None:
    raw = shipped_order.to_json_bytes()
    data = json.loads(raw)
    assert list(data) == sorted(data)
    assert list(data["order"]) == sorted(data["order"])
    assert data["order"]["total_inc_tax"] == "144.9000"
    assert data["order"]["date_created"] == "2024-03-04T16:19:52+00:00"
    assert data["refunds"][0]["total_tax"] == "1.31"
    assert b"\n" not in raw and b": " not in raw


def test_canonical_json_does_not_depend_on_payload_order_or_date_format() -> None:
    payload = snapshot_payload("order_100")
    reordered = {
        **payload,
        "products": list(reversed(payload["products"])),
        "taxes": list(reversed(payload["taxes"])),
        "order": {**payload["order"], "date_created": "2024-03-04T16:19:52+00:00"},
    }
    assert OrderSnapshot.load(reordered).to_json_bytes() == (
        OrderSnapshot.load(payload).to_json_bytes()
    )


def test_canonical_json_carries_no_card_data_or_customer_notes(
    shipped_order: OrderSnapshot,
) -> None:
    raw = shipped_order.to_json_bytes()
    for secret in (b"4242", b"card_iin", b"avs_result", b"Nachbarn", b"203.0.113.54"):
        assert secret not in raw


def test_snapshot_refuses_shipment_to_unknown_consignment() -> None:
    payload = snapshot_payload("order_100")
    payload["shipments"][0]["order_address_id"] = 999
    with pytest.raises(ValidationError, match="unknown consignment 999"):
        OrderSnapshot.load(payload)


def test_snapshot_refuses_shipment_of_unknown_product() -> None:
    payload = snapshot_payload("order_100")
    payload["shipments"][0]["items"][0]["order_product_id"] = 999
    with pytest.raises(ValidationError, match=r"unknown products \[999\]"):
        OrderSnapshot.load(payload)


def test_snapshot_refuses_duplicate_ids() -> None:
    payload = snapshot_payload("order_100")
    payload["products"].append(payload["products"][0])
    with pytest.raises(ValidationError, match="duplicate ids in products"):
        OrderSnapshot.load(payload)


def test_snapshot_needs_a_seller_with_a_legal_name() -> None:
    payload = snapshot_payload("order_100")
    payload["seller"]["legal_name"] = ""
    with pytest.raises(ValidationError) as error:
        OrderSnapshot.load(payload)
    assert "seller" in error.value.messages


def _summary_payload() -> dict[str, object]:
    return {
        "store_hash": "s4mpl3",
        "seller": snapshot_payload("order_100")["seller"],
        "year": 2024,
        "month": 2,
        "currency": "EUR",
        "country_iso2": "DE",
        "rows": [
            {
                "tax_name": "MwSt 7 %",
                "rate": "7",
                "taxable_amount": "100.00",
                "tax_amount": "7.00",
                "order_count": 3,
            },
            {
                "tax_name": "MwSt 19 %",
                "rate": "19",
                "taxable_amount": "1000.00",
                "tax_amount": "190.00",
                "order_count": 12,
            },
        ],
    }


def test_tax_summary_rows_are_ordered_and_period_end_is_the_last_second() -> None:
    summary = TaxSummary.load(_summary_payload())
    assert [row.tax_name for row in summary.rows] == ["MwSt 19 %", "MwSt 7 %"]
    assert summary.period_end.isoformat() == "2024-02-29T23:59:59+00:00"
    assert TaxSummary.load(json.loads(summary.to_json_bytes())) == summary
    assert summary.rows[0].tax_amount == Decimal("190.00")


@pytest.mark.parametrize(
    ("field", "bad"), [("month", 13), ("currency", "eur"), ("country_iso2", "DEU")]
)
def test_tax_summary_refuses_bad_period_keys(field: str, bad: object) -> None:
    with pytest.raises(ValidationError) as error:
        TaxSummary.load({**_summary_payload(), field: bad})
    assert field in error.value.messages


def test_canonical_json_names_its_format_and_refuses_another(shipped_order: OrderSnapshot) -> None:
    data = json.loads(shipped_order.to_json_bytes())
    assert data["format"] == "bcrm-order-snapshot/1"
    with pytest.raises(ValidationError) as error:
        OrderSnapshot.load({**data, "format": "bcrm-order-snapshot/2"})
    assert "format" in error.value.messages
