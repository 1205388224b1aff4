"""The price history and order line discounts on every backend: a change is one row
however often it is recorded, a stale read never lands after a newer one, observation
begins with a full read, and usage finds discounts by promotion id or by code in any case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.index.discounts import LineDiscount, OrderDiscounts
from pipeline.index.prices import ObservedPrice, PriceHistory
from pipeline.index.records import ArchiveIndex

STORE = "st0re1"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _seen(price: int, at: datetime, sale: int = 0) -> ObservedPrice:
    return ObservedPrice(7, 0, price, sale, at)


def test_each_price_change_is_one_row_and_a_stale_read_is_not_written(index: ArchiveIndex) -> None:
    history = PriceHistory(index.engine)
    with pytest.raises(ValueError, match="begins with a full read"):
        history.polled(STORE, "EUR", T0, full=False, checkpoint=None)
    assert history.record(STORE, "EUR", [_seen(1000, T0)], T0) == 1
    assert history.record(STORE, "EUR", [_seen(1000, T0)], T0 + timedelta(hours=1)) == 0
    later = T0 + timedelta(days=1)
    assert history.record(STORE, "EUR", [_seen(900, later, 800)], later) == 1
    # A read taken before the change, written after it: not a change back.
    assert history.record(STORE, "EUR", [_seen(1000, T0)], later + timedelta(hours=1)) == 0
    back = T0 + timedelta(days=2)
    assert history.record(STORE, "EUR", [_seen(1000, back)], back) == 1  # a real change back
    points = history.history(STORE, "EUR", 7)
    assert [(p.seq, p.selling_minor) for p in points] == [(1, 1000), (2, 800), (3, 1000)]
    assert history.latest(STORE, "EUR")[(7, 0)] == points[-1]
    state = history.polled(STORE, "EUR", T0, full=True, checkpoint=back)
    assert (state.began_at, state.checkpoint, state.polls) == (T0, back, 1)
    state = history.polled(STORE, "EUR", later, full=False, checkpoint=T0)
    assert (state.began_at, state.checkpoint, state.last_full_read_at) == (T0, back, T0)
    assert state.polled_at == later and state.lag_s(later + timedelta(seconds=30)) == 30


def test_usage_finds_line_discounts_by_promotion_id_or_code_in_any_case(
    index: ArchiveIndex,
) -> None:
    discounts = OrderDiscounts(index.engine)
    rows = [LineDiscount(1, "12", "", "Ten off", "order", 150),
            LineDiscount(2, "12", "", "Ten off", "order", 50),
            LineDiscount(2, "total-coupon", "Save5", "$5 off", "order", 500)]  # fmt: skip
    discounts.order_discounts_seen(STORE, 100, T0, "EUR", rows)
    discounts.order_discounts_seen(STORE, 100, T0, "EUR", rows)  # a redelivered fetch
    discounts.order_discounts_seen(STORE, 101, T0 + timedelta(days=40), "EUR", rows[:1])
    window = (T0 - timedelta(days=1), T0 + timedelta(days=1))
    by_id = discounts.used(STORE, ["12"], [], *window)
    assert [(u.order_id, u.discount.line_id) for u in by_id] == [(100, 1), (100, 2)]
    by_code = discounts.used(STORE, [], ["SAVE5"], *window)
    assert [u.discount.amount_minor for u in by_code] == [500]
    assert discounts.used(STORE, [], [], *window) == []
    assert set(discounts.store_content(STORE)) == {100, 101}
