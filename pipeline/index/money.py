"""Money in integer minor units: a price as the catalog sends it (a v3 number, a v2
4-decimal string) to the count of the currency's smallest unit, and back for display.

Minor-unit exponents are ISO 4217's (https://www.iso.org/iso-4217-currency-codes.html,
the "Minor unit" column): 0 for JPY, KRW, ISK...; 3 for BHD, KWD, OMR, JOD, TND, IQD, LYD;
2 for every other currency the stores here use.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_EXPONENTS = {
    **dict.fromkeys(("JPY", "KRW", "ISK", "CLP", "VND", "XAF", "XOF", "PYG", "UGX"), 0),
    **dict.fromkeys(("BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"), 3),
}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: object, currency: str) -> int:
    """`12.5` / `"12.5000"` / `Decimal` to minor units (half up); None and "" are 0."""
    if amount is None or amount == "":
        return 0
    value = Decimal(str(amount))
    return int((value.scaleb(exponent(currency))).quantize(Decimal(1), ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to a Decimal amount with the currency's scale."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def display(minor: int, currency: str) -> str:
    """`"12.50 EUR"`: an amount as a record prints it."""
    return f"{from_minor(minor, currency)} {currency}"
