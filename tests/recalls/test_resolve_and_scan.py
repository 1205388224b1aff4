"""Resolving a recall's identifiers through the catalog API, and `bcrm recalls scan`'s
paging of the store's orders into the archive index, against the BigCommerce emulator
and a SQLite index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.flows.recalls import scan as scanning
from pipeline.flows.recalls.resolve import resolve
from pipeline.index.database import make_engine, upgrade
from pipeline.index.recalls import Identifiers, Recall
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import OrderLineRow
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import BigCommerceUnavailable
from sandbox.bigcommerce.server import BigCommerceEmulator

ORDERS = 40


@pytest.fixture(scope="module")
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(orders=ORDERS, seed=3, quota=None) as emulator:
        yield emulator


@pytest.fixture
def client(store: BigCommerceEmulator) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.base_url, store.access_token, governor=None) as session:
        yield session


@pytest.fixture
def index(tmp_path: Path) -> Iterator[ArchiveIndex]:
    engine = make_engine(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    upgrade(engine)
    yield ArchiveIndex(engine)
    engine.dispose()


def _shirt(client: BigCommerceClient) -> dict[str, Any]:
    """A product with option variants."""
    products = client.get_v3("/catalog/products", {"include": "variants", "limit": 50})
    return next(p for p in products if len(p["variants"]) > 1)


def _pairs(items: list[Any]) -> set[tuple[int, int, str]]:
    return {(i.product_id, i.variant_id, i.matched_by) for i in items}


def test_a_product_sku_recalls_the_whole_product(client: BigCommerceClient) -> None:
    shirt = _shirt(client)
    items = resolve(client, Identifiers(skus=(shirt["sku"],)))
    assert _pairs(items) == {(shirt["id"], 0, "sku")}


def test_a_variant_sku_recalls_that_variant_alone(client: BigCommerceClient) -> None:
    variant = _shirt(client)["variants"][1]
    items = resolve(client, Identifiers(skus=(variant["sku"], "NO-SUCH-SKU")))
    assert _pairs(items) == {(variant["product_id"], variant["id"], "sku")}


def test_gtins_upcs_and_mpns_are_matched_by_reading_the_catalog(
    client: BigCommerceClient,
) -> None:
    """The API filters neither by GTIN nor variants by MPN: read, then matched."""
    shirt = _shirt(client)
    variant = shirt["variants"][2]
    other = client.get_v3("/catalog/products", {"limit": 50})[5]
    identifiers = Identifiers(
        gtins=(shirt["gtin"], "0" + variant["gtin"], other["upc"]),
        mpns=(variant["mpn"],),
        lots=("L-1",),
    )
    assert _pairs(resolve(client, identifiers)) == {
        (shirt["id"], 0, "gtin"),
        (variant["product_id"], variant["id"], "gtin"),  # its MPN too: listed once
        (other["id"], 0, "upc"),
    }
    by_mpn = resolve(client, Identifiers(mpns=(variant["mpn"],)))
    assert _pairs(by_mpn) == {(variant["product_id"], variant["id"], "mpn")}


def _recall(store: BigCommerceEmulator, sold_from: datetime) -> Recall:
    return Recall(
        store.store_hash, "7", Identifiers(skus=("X",)), sold_from, None, "h", "r", "high"
    )


def _placed(client: BigCommerceClient) -> list[datetime]:
    return sorted(parsedate_to_datetime(o["date_created"]) for o in client.iter_v2("/orders"))


class Flaky:
    """The client, failing its `fail_on`th call to `/v2/orders` (a store outage)."""

    def __init__(self, client: BigCommerceClient, fail_on: int) -> None:
        self.client, self.fail_on, self.calls = client, fail_on, 0

    def get_v2(self, path: str, params: dict[str, Any]) -> Any:
        self.calls += 1
        if self.calls == self.fail_on:
            raise BigCommerceUnavailable("the store is down")
        return self.client.get_v2(path, params)


def test_scan_reads_the_window_older_than_the_index_and_resumes(
    store: BigCommerceEmulator,
    client: BigCommerceClient,
    index: ArchiveIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scanning, "PAGE", 5)
    placed = _placed(client)
    since = placed[0]
    middle = placed[len(placed) // 2]
    # The index holds an order placed in the middle: the scan reads only what is older.
    known = OrderLineRow(1, "Z-1", None, None, 1, "DE", 5)
    index.order_lines_seen(store.store_hash, 999_999, middle, [known])
    assert index.recalls.oldest_order(store.store_hash) == middle
    recall = _recall(store, since)
    flaky = Flaky(client, fail_on=3)
    with pytest.raises(BigCommerceUnavailable):
        scanning.scan(flaky, index, recall, since)  # type: ignore[arg-type]
    stopped = index.recalls.scan(store.store_hash, "7")
    assert stopped is not None and stopped.next_page == 3 and stopped.finished_at is None
    assert stopped.orders_read == 10

    final = scanning.scan(flaky, index, recall, since)  # type: ignore[arg-type]
    expected = [moment for moment in placed if since <= moment <= middle]
    assert final.finished_at is not None and final.orders_read == len(expected)
    assert (final.since, final.until) == (since, middle)
    lines = index.store_content(store.store_hash).orders
    assert len([o for o in lines if o != 999_999]) == len(expected)
    assert all(line.customer_id is not None for _, rows in lines.values() for line in rows)
    assert flaky.calls == 3 + len(expected) // 5 - 2 + 1
    assert final.until <= datetime.now(UTC)
