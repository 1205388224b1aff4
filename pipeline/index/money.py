"""Money in integer minor units: a price as the catalog sends it (a v3 number, a v2
4-decimal string) to the count of the currency's smallest unit, and back. The minor
units per currency are the documents' (`pipeline.records.pdf.format.minor_units`,
ISO 4217's "Minor unit" column)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pipeline.records.pdf.format import minor_units


def to_minor(amount: object, currency: str) -> int:
    """`12.5` / `"12.5000"` / `Decimal` to minor units (half up); None and "" are 0."""
    if amount is None or amount == "":
        return 0
    value = Decimal(str(amount)).scaleb(minor_units(currency))
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to a Decimal amount with the currency's scale."""
    places = minor_units(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))
