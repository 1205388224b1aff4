"""`bcrm bench recalls`, part (a): a recall's affected orders from the archive index
(`Recalls.affected_orders`) over 1,000,000 order lines, on SQLite and on PostgreSQL, against
the only other way BigCommerce offers: page the store's orders and read each one's
products (`/v2/orders` has no SKU or product filter, reference flows-2-3-4-6-7.md).

The index is filled with synthetic lines (a store of `--lines` lines, 1 to 4 per order,
over two years, 2,000 products of up to 6 variants each); the recall names one product
(the whole product, so a line matches by product, variant or SKU) sold in a six-month
window. Each search is timed cold (the first) and warm (p50 of `--repeats`).

The API scan is measured in full on a smaller emulated store (`--scan-orders` orders,
80 ms on every call, one after another, as `bcrm recalls scan` pages) and extrapolated
to the index's order count twice: by the measured time per order, and by the quota (every
call costs one unit of the store's quota: 150 per 30 s on Standard and Plus, 450 on Pro,
reference bigcommerce-api.md §2.2), which binds first once a fleet runs calls in
parallel.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pipeline.index.recalls import Recall

STORE = "benchrecall"
PRODUCTS = 2_000
START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 730
RECALLED_PRODUCT = 1_234
WINDOW = (datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC))
QUOTA_PER_30S = {"standard_plus": 150, "pro": 450}
CHUNK = 20_000


def sku(product: int, variant: int) -> str:
    return f"P{product:05d}-{variant}"


def variant_id(product: int, variant: int) -> int:
    return product * 10 + variant


@dataclass
class Store:
    """What was loaded: lines, orders, and the recall's affected orders computed while
    generating (without the index), to check the search against."""

    lines: int = 0
    orders: int = 0
    affected: set[int] = field(default_factory=set)


def synthetic_chunks(count: int, store: Store, seed: int = 16) -> Iterator[list[dict[str, Any]]]:
    """`count` order lines of one store in chunks (see the module docstring)."""
    rng = random.Random(seed)
    low, high = WINDOW
    rows: list[dict[str, Any]] = []
    while store.lines < count:
        store.orders += 1
        order_id = store.orders
        when = START + timedelta(seconds=rng.randrange(DAYS * 86_400))
        country = rng.choice(("US", "GB", "DE", "FR", "CA"))
        for line in range(min(rng.randint(1, 4), count - store.lines)):
            product, variant = rng.randint(1, PRODUCTS), rng.randint(1, 6)
            rows.append(
                {
                    "store_hash": STORE, "order_id": order_id, "line_id": order_id * 10 + line,
                    "sku": sku(product, variant), "product_id": product,
                    "variant_id": variant_id(product, variant), "quantity": rng.randint(1, 3),
                    "order_date": when, "ship_to_country": country,
                }
            )  # fmt: skip
            store.lines += 1
            if product == RECALLED_PRODUCT and low <= when <= high:
                store.affected.add(order_id)
        if len(rows) >= CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


def load(engine: Engine, count: int) -> tuple[Store, float]:
    """Empty the store's lines, insert `count` synthetic ones; what was loaded, seconds."""
    from sqlalchemy import delete, insert

    from pipeline.index.models import OrderLine

    store = Store()
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(delete(OrderLine).where(OrderLine.store_hash == STORE))
    for rows in synthetic_chunks(count, store):
        with engine.begin() as connection:
            connection.execute(insert(OrderLine), rows)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "ANALYZE order_lines" if engine.dialect.name == "postgresql" else "ANALYZE"
        )
    return store, time.perf_counter() - started


def recall(store_hash: str = STORE) -> Recall:
    from pipeline.index.recalls import Identifiers, Recall

    return Recall(
        store_hash, "RCL-BENCH", Identifiers(skus=(sku(RECALLED_PRODUCT, 1),)),
        WINDOW[0], WINDOW[1], "bench", "bench", "high", decided_by="b", opened_by="a",
        decided_at=datetime.now(UTC),
    )  # fmt: skip


@dataclass
class Search:
    backend: str
    lines: int
    orders: int
    load_s: float
    affected_orders: int
    cold_ms: float
    warm_p50_ms: float
    warm_max_ms: float
    correct: bool


def search(backend: str, engine: Engine, lines: int, repeats: int) -> Search:
    """Load `lines` lines into `engine`'s index and time the recall's search."""
    from pipeline.index.recalls import RecalledItem, Recalls

    store, load_s = load(engine, lines)
    recalls = Recalls(engine)
    subject = recall()
    recalls.save(subject)
    recalls.add_items(STORE, subject.recall_id, [RecalledItem(RECALLED_PRODUCT, 0, "", "sku")])
    times = []
    found: list[int] = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        found = recalls.affected_orders(subject)
        times.append((time.perf_counter() - started) * 1000)
    warm = times[1:]
    return Search(
        backend, store.lines, store.orders, round(load_s, 1), len(found),
        round(times[0], 2), round(statistics.median(warm), 2), round(max(warm), 2),
        found == sorted(store.affected),
    )  # fmt: skip
