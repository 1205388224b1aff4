"""The prior price as the emulator's own price log says it, computed without the index:
what the evidence is held against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sandbox.bigcommerce.server import BigCommerceEmulator


def _minor(value: object) -> int:
    return int(Decimal(str(value or 0)) * 100)


def true_lowest(
    store: BigCommerceEmulator,
    product_id: int,
    initial: tuple[object, object],
    starts_at: datetime,
    variant_id: int | None = None,
) -> int:
    """Lowest selling price (sale price if set, else price) in force in the 30 days
    before `starts_at`, from the initial prices and the logged changes of the product
    (or of the variant, when it sets its own)."""
    window_from = starts_at - timedelta(days=30)
    price, sale = initial
    in_force = []
    since = datetime.min.replace(tzinfo=UTC)
    for change in store.price_history(product_id=product_id):
        if change["variant_id"] != variant_id:
            continue
        at = datetime.fromtimestamp(change["at"], UTC)
        in_force.append((since, at, _minor(sale) or _minor(price)))
        price, sale, since = change["price"], change["sale_price"], at
    in_force.append((since, datetime.max.replace(tzinfo=UTC), _minor(sale) or _minor(price)))
    return min(p for start, end, p in in_force if start < starts_at and end > window_from)
