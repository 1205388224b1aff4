"""The discounts archived orders' lines carry (`applied_discounts`), for a campaign's
closeout: which orders used its promotions or codes, and for how much.

Written where the commerce flow writes an archived order's lines (`after_fetch`), from
the same snapshot, replacing what the order showed before (a redelivered fetch writes
the same rows again); a rebuild takes them from the same embedded snapshot as the lines
(`pipeline.index.rebuild`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from pipeline.index.models import OrderLineDiscount
from pipeline.index.money import to_minor
from pipeline.index.rows import utc_seconds
from schemas.snapshot import OrderSnapshot


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


def _line_discount(row: OrderLineDiscount) -> LineDiscount:
    return LineDiscount(
        row.line_id, row.discount_id, row.code, row.name, row.target, row.amount_minor
    )


# An order's date, currency and line discounts, as the index keeps them.
OrderDiscountRows = tuple[datetime, str, tuple[LineDiscount, ...]]


def order_discounts_of(snapshot: OrderSnapshot) -> OrderDiscountRows:
    """The line discounts of an order snapshot, amounts in the order's minor units."""
    currency = snapshot.order.currency_code
    discounts = tuple(
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
    )
    return utc_seconds(snapshot.order.date_created), currency, discounts


def _merged(discounts: Sequence[LineDiscount]) -> list[LineDiscount]:
    """Two entries of one line with the same id and code are one row with their sum."""
    merged: dict[tuple[int, str, str], LineDiscount] = {}
    for d in discounts:
        key = (d.line_id, d.discount_id, d.code)
        if key in merged:
            d = LineDiscount(*key, d.name, d.target, merged[key].amount_minor + d.amount_minor)
        merged[key] = d
    return sorted(merged.values(), key=lambda d: (d.line_id, d.discount_id, d.code))


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
        """Replace the order's line discounts with `discounts`, in one transaction."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(OrderLineDiscount).where(
                    OrderLineDiscount.store_hash == store_hash,
                    OrderLineDiscount.order_id == order_id,
                )
            )
            self._add(session, store_hash, order_id, (order_date, currency, tuple(discounts)))

    @staticmethod
    def _add(session: Session, store_hash: str, order_id: int, rows: OrderDiscountRows) -> None:
        order_date, currency, discounts = rows
        session.add_all(
            OrderLineDiscount(
                store_hash=store_hash,
                order_id=order_id,
                order_date=utc_seconds(order_date),
                currency=currency,
                **asdict(d),
            )
            for d in _merged(discounts)
        )

    def store_content(self, store_hash: str) -> dict[int, OrderDiscountRows]:
        """Every order of the store with line discounts, as `order_discounts_of` says it
        (merged rows, in line, id and code order): what a rebuild compares."""
        query = (
            select(OrderLineDiscount)
            .where(OrderLineDiscount.store_hash == store_hash)
            .order_by(
                OrderLineDiscount.order_id,
                OrderLineDiscount.line_id,
                OrderLineDiscount.discount_id,
                OrderLineDiscount.code,
            )
        )
        found: dict[int, tuple[datetime, str, list[LineDiscount]]] = {}
        with Session(self.engine) as session:
            for row in session.scalars(query):
                entry = found.setdefault(row.order_id, (row.order_date, row.currency, []))
                entry[2].append(_line_discount(row))
        return {k: (d, c, tuple(ls)) for k, (d, c, ls) in found.items()}

    def replace_store(self, store_hash: str, orders: dict[int, OrderDiscountRows]) -> None:
        """Make the store's line discounts exactly `orders`, in one transaction."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(OrderLineDiscount).where(OrderLineDiscount.store_hash == store_hash)
            )
            for order_id, rows in orders.items():
                self._add(session, store_hash, order_id, rows)

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
                UsedDiscount(row.order_id, row.order_date, row.currency, _line_discount(row))
                for row in session.scalars(query)
            ]
