"""The emulator's price truth for these tests (`pipeline.devtools.chaos.price_truth`)."""

from __future__ import annotations

from datetime import datetime

from pipeline.devtools.chaos import price_truth
from sandbox.bigcommerce.server import BigCommerceEmulator


def true_lowest(
    store: BigCommerceEmulator,
    product_id: int,
    initial: tuple[object, object],
    starts_at: datetime,
    variant_id: int | None = None,
) -> int:
    changes = store.price_history(product_id=product_id)
    return price_truth.true_lowest(changes, product_id, initial, starts_at, variant_id)
