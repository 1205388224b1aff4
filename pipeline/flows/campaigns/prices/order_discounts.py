"""An archived order's line discounts (`applied_discounts`) into the archive index, for
the campaign closeout: called where the commerce flow writes the order's lines, from the
same snapshot, so what the index holds the rebuild from archived snapshots holds again
(`pipeline.index.rebuild` derives them with the same `order_discounts_of`)."""

from __future__ import annotations

from pipeline.index.discounts import OrderDiscounts, order_discounts_of
from pipeline.index.records import ArchiveIndex
from schemas.snapshot import OrderSnapshot


def order_discounts_seen(index: ArchiveIndex, snapshot: OrderSnapshot) -> None:
    order_date, currency, discounts = order_discounts_of(snapshot)
    OrderDiscounts(index.engine).order_discounts_seen(
        snapshot.store_hash, snapshot.order.id, order_date, currency, discounts
    )
