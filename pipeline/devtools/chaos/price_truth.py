"""The prior price as the store really charged it, from the BigCommerce emulator's price
log (`GET /admin/prices/history`), held against bcrm's prior-price evidence.

The log has every change of a product's or variant's `price` / `sale_price` with the
store's time; the prices before the first logged change are the seeded ones, read from
the catalog when the run begins. The selling price is the sale price when one is set,
else the price (as the evidence counts it); a variant that sets neither follows its
product. The lowest selling price in force in [start − 30 days, start) is the truth the
evidence's prior price must equal wherever it claims to know it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

WINDOW = timedelta(days=30)
_EPOCH = datetime.min.replace(tzinfo=UTC)
_END = datetime.max.replace(tzinfo=UTC)


def _minor(value: object) -> int:
    return int(Decimal(str(value or 0)).scaleb(2))


def selling_minor(price: object, sale_price: object) -> int:
    return _minor(sale_price) or _minor(price)


def true_lowest(
    changes: Iterable[Mapping[str, Any]],
    product_id: int,
    initial: tuple[object, object],
    starts_at: datetime,
    variant_id: int | None = None,
) -> int:
    """The lowest selling price of the product (its own row, `variant_id` None) or of a
    variant with its own prices, in the 30 days before `starts_at`, 2-decimal currency."""
    price, sale = initial
    spans: list[tuple[datetime, datetime, int]] = []
    since = _EPOCH
    for change in changes:
        if change["product_id"] != product_id or change["variant_id"] != variant_id:
            continue
        at = datetime.fromtimestamp(change["at"], UTC)
        spans.append((since, at, selling_minor(price, sale)))
        price, sale, since = change["price"], change["sale_price"], at
    spans.append((since, _END, selling_minor(price, sale)))
    window_from = starts_at - WINDOW
    return min(p for start, end, p in spans if start < starts_at and end > window_from)


def wrong_prior_prices(
    changes: Sequence[Mapping[str, Any]],
    initial: Mapping[int, tuple[object, object]],
    evidence: Mapping[str, Any],
) -> list[str]:
    """Product items (`variant_id` 0) of an evidence (`PriorPriceEvidence.to_json()`)
    whose stated prior price differs from the truth; items that say they are not covered
    state none and are never wrong."""
    starts_at = datetime.fromisoformat(evidence["starts_at"])
    wrong = []
    for item in evidence["items"]:
        if item["variant_id"] or item["prior_price_minor"] is None:
            continue
        product_id = item["product_id"]
        truth = true_lowest(changes, product_id, initial[product_id], starts_at)
        if truth != item["prior_price_minor"]:
            wrong.append(f"product {product_id}: {item['prior_price_minor']} != {truth}")
    return wrong
