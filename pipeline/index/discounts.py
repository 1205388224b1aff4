"""The discounts archived orders' lines carry (`applied_discounts`), for a campaign's
closeout: which orders used its promotions or codes, and for how much.

Written where the commerce flow writes an archived order's lines (`after_fetch`), from
the same snapshot, replacing what the order showed before (a redelivered fetch writes
the same rows again).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from pipeline.index.models import OrderLineDiscount
from pipeline.index.rows import utc_seconds


@dataclass(frozen=True)
class LineDiscount:
    """One `applied_discounts` entry of an order line (`code` "" when none)."""

    line_id: int
    discount_id: str
    code: str
    name: str
    target: str
    amount_minor: int


@dataclass(frozen=True)
class UsedDiscount:
    """A line discount with its order, as a usage query returns it."""

    order_id: int
    order_date: datetime
    currency: str
    discount: LineDiscount


class OrderDiscounts:
    """The `order_line_discounts` table of the archive index."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def order_discounts_seen(
        self,
        store_hash: str,
        order_id: int,
        order_date: datetime,
        currency: str,
        discounts: Sequence[LineDiscount],
    ) -> None:
        """Replace the order's line discounts with `discounts`, in one transaction. Two
        entries of one line with the same id and code are one row with their sum."""
        merged: dict[tuple[int, str, str], LineDiscount] = {}
        for d in discounts:
            key = (d.line_id, d.discount_id, d.code)
            if key in merged:
                d = LineDiscount(*key, d.name, d.target, merged[key].amount_minor + d.amount_minor)
            merged[key] = d
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(OrderLineDiscount).where(
                    OrderLineDiscount.store_hash == store_hash,
                    OrderLineDiscount.order_id == order_id,
                )
            )
            session.add_all(
                OrderLineDiscount(
                    store_hash=store_hash,
                    order_id=order_id,
                    order_date=utc_seconds(order_date),
                    currency=currency,
                    **asdict(d),
                )
                for d in merged.values()
            )

    def used(
        self,
        store_hash: str,
        promotion_ids: Collection[str],
        codes: Collection[str],
        start: datetime,
        end: datetime,
    ) -> list[UsedDiscount]:
        """Line discounts of orders placed in [start, end] under one of the promotion
        ids or codes (codes compare case-insensitively, as checkout takes them)."""
        lowered = sorted({c.lower() for c in codes})
        wanted = []
        if promotion_ids:
            wanted.append(OrderLineDiscount.discount_id.in_(sorted(promotion_ids)))
        if lowered:
            wanted.append(func.lower(OrderLineDiscount.code).in_(lowered))
        if not wanted:
            return []
        query = (
            select(OrderLineDiscount)
            .where(
                OrderLineDiscount.store_hash == store_hash,
                OrderLineDiscount.order_date >= utc_seconds(start),
                OrderLineDiscount.order_date <= utc_seconds(end),
                or_(*wanted),
            )
            .order_by(OrderLineDiscount.order_id, OrderLineDiscount.line_id)
        )
        with Session(self.engine) as session:
            return [
                UsedDiscount(
                    row.order_id,
                    row.order_date,
                    row.currency,
                    LineDiscount(
                        row.line_id,
                        row.discount_id,
                        row.code,
                        row.name,
                        row.target,
                        row.amount_minor,
                    ),
                )
                for row in session.scalars(query)
            ]
