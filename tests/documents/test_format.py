"""Numbers as a finance team reads them, the same on every host."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipeline.records.pdf import format as fmt


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.5000", "EUR", "1,234.50 EUR"),
        ("0.0050", None, "0.01"),
        ("0.0049", None, "0.00"),
        ("-0.0040", None, "0.00"),
        ("-1234567.8950", "USD", "-1,234,567.90 USD"),
        ("20", None, "20.00"),
    ],
)
def test_money_rounds_half_up_and_never_shows_minus_zero(
    amount: str, currency: str | None, expected: str
) -> None:
    assert fmt.money(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("rate", "expected"), [("19.0000", "19 %"), ("7.5000", "7.5 %"), ("0.0000", "0 %")]
)
def test_rates_drop_trailing_zeros(rate: str, expected: str) -> None:
    assert fmt.rate(Decimal(rate)) == expected


def test_dates_are_iso_and_timestamps_keep_their_offset() -> None:
    moment = datetime(2024, 3, 5, 9, 12, 44, tzinfo=UTC)
    assert fmt.day(moment) == "2024-03-05"
    assert fmt.timestamp(moment) == "2024-03-05 09:12:44+00:00"
    assert fmt.quantity(12345) == "12,345"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1500.0000", "JPY", "1,500 JPY"),
        ("1499.5000", "JPY", "1,500 JPY"),
        ("12.3456", "KWD", "12.346 KWD"),
        ("-0.4000", "JPY", "0 JPY"),
        ("12.5000", "EUR", "12.50 EUR"),
    ],
)
def test_money_uses_the_currency_minor_units(amount: str, currency: str, expected: str) -> None:
    assert fmt.money(Decimal(amount), currency) == expected
    assert fmt.amount_in(Decimal(amount), currency) == expected.split()[0]
