"""Number and date formatting for documents a finance team reads.

Locale-neutral on purpose (``1,234.50``, ISO dates, ISO currency codes): a record must
read the same whichever worker rendered it, and locale data would make bytes depend on
the host.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal, currency: str | None = None) -> str:
    """Two decimals, half-up as invoices round, thousands separated; ``-0.00`` never shows."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded.copy_abs():,.2f}"
    if rounded < 0:
        text = f"-{text}"
    return f"{text} {currency}" if currency else text


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
