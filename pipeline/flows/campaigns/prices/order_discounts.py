"""An archived order's line discounts (`applied_discounts`) into the archive index, for
the campaign closeout: called where the commerce flow writes the order's lines, from the
same snapshot, so what the index holds the rebuild from archived snapshots holds again."""

from __future__ import annotations

from pipeline.index.discounts import LineDiscount, OrderDiscounts
from pipeline.index.money import to_minor
from pipeline.index.records import ArchiveIndex
from schemas.snapshot import OrderSnapshot


def line_discounts_of(snapshot: OrderSnapshot) -> list[LineDiscount]:
    currency = snapshot.order.currency_code
    return [
        LineDiscount(
            line_id=line.id,
            discount_id=d.id,
            code=d.code or "",
            name=d.name,
            target=d.target,
            amount_minor=to_minor(d.amount, currency),
        )
        for line in snapshot.products
        for d in line.applied_discounts
    ]


def order_discounts_seen(index: ArchiveIndex, snapshot: OrderSnapshot) -> None:
    OrderDiscounts(index.engine).order_discounts_seen(
        snapshot.store_hash,
        snapshot.order.id,
        snapshot.order.date_created,
        snapshot.order.currency_code,
        line_discounts_of(snapshot),
    )
