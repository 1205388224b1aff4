"""Number and date formatting for documents a finance team reads.

Locale-neutral on purpose (``1,234.50``, ISO dates, ISO currency codes): a record must
read the same whichever worker rendered it, and locale data would make bytes depend on
the host.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# ISO 4217 minor units where they are not two (the ISO 4217 list, "Minor unit" column):
# the currencies without subunits and the three-decimal dinars. Every other code has two.
MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"),
        0,
    ),
    **dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_units(currency: str | None) -> int:
    """Decimal places of a currency's amounts; two when the currency is not known."""
    return MINOR_UNITS.get((currency or "").upper(), 2)


def money(amount: Decimal, currency: str | None = None) -> str:
    """Amount with its currency code, in the currency's minor units (``1,500 JPY``,
    ``12.50 EUR``), half-up as invoices round, thousands separated; ``-0.00`` never shows."""
    text = amount_in(amount, currency)
    return f"{text} {currency}" if currency else text


def amount_in(amount: Decimal, currency: str | None) -> str:
    """An amount in the currency's minor units without the code: for table cells whose
    column heading or document already says the currency."""
    places = minor_units(currency)
    rounded = round_to(amount, currency)
    text = f"{rounded.copy_abs():,.{places}f}"
    return f"-{text}" if rounded < 0 else text


def round_to(amount: Decimal, currency: str | None) -> Decimal:
    """Half-up rounding to the currency's minor unit, as the amounts on documents round."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def rate(percent: Decimal) -> str:
    """A tax rate: ``19 %``, ``7.5 %``; trailing zeros of the 4-decimal source dropped."""
    text = f"{percent.normalize():f}"
    return f"{text} %"


def quantity(count: int) -> str:
    return f"{count:,}"


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def timestamp(moment: datetime) -> str:
    """Date and time with the source's own offset, so nobody has to guess the zone."""
    return moment.isoformat(sep=" ", timespec="seconds")
