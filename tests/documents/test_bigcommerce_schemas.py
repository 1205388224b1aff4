"""Loading raw BigCommerce payloads: money, dates, tolerance of extra fields, strictness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.bigcommerce import (
    AddressSchema,
    LineItemSchema,
    MessageSchema,
    OrderSchema,
    RefundSchema,
    TransactionSchema,
)
from tests.documents.payloads import snapshot_payload


def _order(**changes: Any) -> dict[str, Any]:
    return {**snapshot_payload("order_100")["order"], **changes}


def test_v2_money_strings_keep_their_four_decimals() -> None:
    order = OrderSchema().load(_order())
    assert order.total_inc_tax == Decimal("144.9000")
    assert str(order.subtotal_ex_tax) == "123.3016"


def test_v3_money_numbers_carry_no_float_noise() -> None:
    refund = RefundSchema().load(snapshot_payload("order_100")["refunds"][0])
    assert refund.total_tax == Decimal("1.31")
    assert str(refund.total_amount) == "20"


@pytest.mark.parametrize("bad", [True, "12,50", "NaN", "Infinity", [], {}])
def test_money_refuses_what_is_not_an_amount(bad: object) -> None:
    with pytest.raises(ValidationError) as error:
        OrderSchema().load(_order(total_inc_tax=bad))
    assert "total_inc_tax" in error.value.messages


def test_optional_money_sent_as_null_loads_as_zero() -> None:
    line = {**snapshot_payload("order_100")["products"][0], "refund_amount": None}
    assert LineItemSchema().load(line).refund_amount == Decimal("0")


def test_rfc_2822_dates_load_as_aware_datetimes() -> None:
    order = OrderSchema().load(_order())
    assert order.date_created == datetime(2024, 3, 4, 16, 19, 52, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-04T16:19:52+00:00", datetime(2024, 3, 4, 16, 19, 52, tzinfo=UTC)),
        ("2019-08-24T14:15:22Z", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
        (
            "Thu, 20 Apr 2017 11:32:00 -0400",
            datetime(2017, 4, 20, 11, 32, tzinfo=timezone(timedelta(hours=-4))),
        ),
    ],
)
def test_both_date_formats_are_accepted(text: str, expected: datetime) -> None:
    assert OrderSchema().load(_order(date_modified=text)).date_modified == expected


def test_unset_v2_date_is_none() -> None:
    assert OrderSchema().load(_order(date_shipped="")).date_shipped is None


@pytest.mark.parametrize("bad", ["2024-03-04T16:19:52", "yesterday", "", 1709569192])
def test_required_date_without_offset_or_unparseable_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as error:
        OrderSchema().load(_order(date_created=bad))
    assert "date_created" in error.value.messages


def test_unknown_fields_are_dropped() -> None:
    order = OrderSchema().load(_order(brand_new_field={"x": 1}))
    assert not hasattr(order, "brand_new_field")


@pytest.mark.parametrize("field", ["id", "status_id", "currency_code", "total_inc_tax"])
def test_fields_a_document_prints_are_required(field: str) -> None:
    payload = _order()
    del payload[field]
    with pytest.raises(ValidationError) as error:
        OrderSchema().load(payload)
    assert field in error.value.messages


@pytest.mark.parametrize("field", ["total_inc_tax", "total_ex_tax"])
def test_negative_order_total_is_refused_naming_the_field(field: str) -> None:
    """Money back is a refund (a credit note); an order below zero is bad source data."""
    with pytest.raises(ValidationError) as error:
        OrderSchema().load(_order(**{field: "-0.0100"}))
    assert error.value.messages == {field: ["Must not be negative."]}


def test_zero_total_order_and_negative_line_load() -> None:
    """A free order is a valid invoice; a credit line under a positive total is shown."""
    order = OrderSchema().load(_order(total_inc_tax="0.0000", total_ex_tax="0.0000"))
    assert order.total_inc_tax == 0
    line = {**snapshot_payload("order_100")["products"][0], "total_inc_tax": "-5.0000"}
    assert LineItemSchema().load(line).total_inc_tax == Decimal("-5.0000")


def test_null_address_parts_load_as_empty_text() -> None:
    address = AddressSchema().load({"first_name": "Ana", "company": None})
    assert (address.first_name, address.company, address.city) == ("Ana", "", "")


def test_transaction_keeps_no_card_details() -> None:
    payload = snapshot_payload("order_100")["transactions"][0]
    transaction = TransactionSchema().load(payload)
    assert not any("card" in name or "avs" in name for name in vars(transaction))


def test_message_schema_loads_an_order_message() -> None:
    message = MessageSchema().load(
        {
            "id": 3,
            "order_id": 100,
            "staff_id": 0,
            "customer_id": 11,
            "type": "customer",
            "subject": "Delivery",
            "message": "Where is my parcel?",
            "status": "unread",
            "is_flagged": False,
            "date_created": "Wed, 06 Mar 2024 10:00:00 +0000",
            "customer": {"id": 11},
        }
    )
    assert (message.subject, message.date_created.day) == ("Delivery", 6)
