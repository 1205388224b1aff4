"""The store: every record the emulator serves, the indexes filters need, and the event sink.

One `Store` belongs to one emulator and is only touched from the emulator's event loop,
so no locking is needed: a handler that mutates without awaiting is atomic.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Order, Token

EventSink = Callable[[str, dict[str, Any]], None]


def _ignore_event(scope: str, data: dict[str, Any]) -> None:
    """Default sink until the webhook dispatcher is attached."""


@dataclass
class Store:
    store_hash: str
    store_id: str
    base_url: str = ""
    clock: Callable[[], float] = time.time
    emit: EventSink = _ignore_event
    # Take `http://` webhook destinations on any port (the real API: HTTPS on 443 only).
    allow_plain_http_hooks: bool = False
    tokens: dict[str, Token] = field(default_factory=dict)
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    variants: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    order_ids: list[int] = field(default_factory=list)
    refunds: dict[int, dict[str, Any]] = field(default_factory=dict)
    coupons: dict[int, dict[str, Any]] = field(default_factory=dict)
    promotions: dict[int, dict[str, Any]] = field(default_factory=dict)
    promotion_codes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    pages: dict[int, dict[str, Any]] = field(default_factory=dict)
    checkout_settings: dict[int, dict[str, Any]] = field(default_factory=dict)
    customer_settings: dict[int, dict[str, Any]] = field(default_factory=dict)
    consents: dict[int, dict[str, Any]] = field(default_factory=dict)
    hooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    disclosure_log: list[dict[str, Any]] = field(default_factory=list)
    # Every price change (`price_log`): a test-only truth, never served on the API.
    price_log: list[dict[str, Any]] = field(default_factory=list)
    _seq: dict[str, Iterator[int]] = field(default_factory=dict)
    _sorted: dict[tuple[str, bool], tuple[int, list[Order]]] = field(default_factory=dict)
    version: int = 0
    archived: int = 0

    def now(self) -> int:
        return int(self.clock())

    def next_id(self, kind: str, start: int = 1) -> int:
        """Monotonic ids per resource kind; `start` only matters the first time."""
        if kind not in self._seq:
            self._seq[kind] = itertools.count(start)
        return next(self._seq[kind])

    def bump_ids(self, kind: str, highest: int) -> None:
        """After seeding, continue ids above the seeded ones."""
        self._seq[kind] = itertools.count(highest + 1)

    def add_order(self, order: Order) -> None:
        self.orders[order.id] = order
        if not self.order_ids or order.id > self.order_ids[-1]:
            self.order_ids.append(order.id)
        else:
            bisect.insort(self.order_ids, order.id)
        self.version += 1

    def touch(self, order: Order) -> None:
        """Record a modification: `date_modified` moves and cached sort orders go stale."""
        order.modified = max(self.now(), order.modified)
        self.version += 1

    def orders_in_id_range(self, min_id: int | None, max_id: int | None) -> list[int]:
        lo = bisect.bisect_left(self.order_ids, min_id) if min_id is not None else 0
        hi = bisect.bisect_right(self.order_ids, max_id) if max_id is not None else None
        return self.order_ids[lo:hi]

    def orders_sorted_by(self, attr: str, descending: bool) -> list[Order]:
        """Whole-store order lists sorted by a field, cached until the next mutation, so
        pollers paging by `date_modified` do not re-sort 100k orders per page."""
        cached = self._sorted.get((attr, descending))
        if cached and cached[0] == self.version:
            return cached[1]
        rows = sorted(
            self.orders.values(),
            key=lambda o: (getattr(o, attr), o.id),
            reverse=descending,
        )
        self._sorted[(attr, descending)] = (self.version, rows)
        return rows

    def token_by_client(self, client_id: str) -> Token | None:
        return next((t for t in self.tokens.values() if t.client_id == client_id), None)
