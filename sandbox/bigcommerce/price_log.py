"""The store's own history of catalog prices: every change of a product's or a variant's
`price` or `sale_price`, when it happened (store clock) and through which door (the
catalog API or the control panel).

BigCommerce keeps no such history on its API (reference §6: products carry only
`date_modified`); it is the emulator's test-only truth, read on the admin surface
(`GET /admin/prices/history`), so tests can hold a prior price computed from polling
against what really was in force.
"""

from __future__ import annotations

from typing import Any

from .state import Store

PRICE_FIELDS = ("price", "sale_price")
API = "api"
CONTROL_PANEL = "control_panel"


def _prices(row: dict[str, Any] | None) -> tuple[Any, ...]:
    return tuple(None if row is None else row.get(key) for key in PRICE_FIELDS)


def note_change(
    store: Store,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    variant_id: int | None,
    source: str,
) -> None:
    """Log `after`'s prices if they differ from `before`'s (a new product logs its first)."""
    if _prices(before) == _prices(after):
        return
    store.price_log.append(
        {
            "at": store.now(),
            "product_id": after["product_id"] if variant_id is not None else after["id"],
            "variant_id": variant_id,
            "price": after["price"],
            "sale_price": after["sale_price"],
            "source": source,
        }
    )


def history(
    store: Store, product_id: int | None = None, variant_id: int | None = None
) -> list[dict[str, Any]]:
    """The log, oldest first, of one product (its own and its variants' rows) or variant."""
    return [
        dict(row)
        for row in store.price_log
        if (product_id is None or row["product_id"] == product_id)
        and (variant_id is None or row["variant_id"] == variant_id)
    ]
