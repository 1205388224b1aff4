"""Wire formats: v2 money strings and RFC 2822 dates, v3 ISO 8601 dates, date-filter parsing.

Internally money is held in integer minor units (cents) so refunds and totals add up exactly;
the two API generations render it differently, which is exactly what clients trip over.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def money4(cents: int) -> str:
    """v2 money: a string with four decimals, e.g. ``"336.3200"``.

    Float formatting is exact here: any cent amount below 2**53 / 100 rounds back to itself.
    """
    return f"{cents / 100:.2f}00"


def money_num(cents: int) -> float:
    """v3 money: a JSON number with at most two decimals."""
    return round(cents / 100, 2)


def to_cents(value: object) -> int:
    """Accept the number or numeric string a client sends and round it to cents."""
    return round(float(str(value)) * 100)


def rfc2822(ts: float | None) -> str:
    """v2 date, always UTC with ``+0000``; ``""`` for an unset date as v2 does (``date_shipped``).

    Formatted by hand because ``strftime`` day/month names follow the process locale.
    """
    if ts is None:
        return ""
    t = time.gmtime(ts)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def iso8601(ts: float | None) -> str | None:
    """v3 date with an explicit offset; same-format UTC strings also sort chronologically."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), UTC).isoformat()


def parse_date_filter(raw: str, *, allow_unix: bool = False) -> float | None:
    """Parse a date filter in RFC 2822 or ISO 8601 (or unix seconds on v3).

    Returns None when the value is unparseable: the real API silently ignores such a filter
    (users see the unfiltered set), and so do we. An ISO date without a time gets the current
    time of day appended, as the catalog spec says for ``date_modified:min``.
    """
    raw = raw.strip()
    if not raw:
        return None
    if allow_unix and raw.isdigit():
        return float(raw)
    try:
        return parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "+") if "T" in raw else raw)
    except ValueError:
        return None
    if len(raw) == 10:
        now = datetime.now(UTC)
        parsed = parsed.replace(hour=now.hour, minute=now.minute, second=now.second)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
