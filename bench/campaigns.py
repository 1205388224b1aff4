"""Campaigns bench: BigCommerce calls per poll cycle of flow 7's reads for a store of
1,000 promotions, as many v2 coupons, and 10,000 products, against a naive per-object
read of the same store in the same run, on the emulator (its request counters, reset
before each mode and read after it).

- `pipeline`, one poll cycle: promotions by list pages (`GET /v3/promotions`, limit 250,
  reference §7.1), coupons by id pages (`GET /v2/coupons?min_id=&limit=250`, §7.2's
  recommended paging, until a short page), and the price poll
  (`pipeline.flows.campaigns.prices.poll`: `GET /v3/catalog/products?include=variants`,
  limit 250): a full read, then, after `--changes` price changes, the incremental read by
  `date_modified:min` that runs between full reads.
- `naive`: the same lists for their ids, then every promotion, coupon and product read on
  its own with its variants (`GET /v3/promotions/{id}`, `GET /v2/coupons/{id}`,
  `GET /v3/catalog/products/{id}?include=variants`).

The run fails unless both modes saw the same promotions, coupons and prices.

    python bench/campaigns.py [--promotions 1000] [--products 10000] [--changes 20]

Prints a table and writes bench/results/campaigns.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import print_table, write_results

from pipeline.flows.campaigns.prices.poll import poll_prices
from pipeline.index.database import make_engine, upgrade
from pipeline.index.prices import PriceHistory
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.formats import iso8601
from sandbox.bigcommerce.products import add_variant, blank_product
from sandbox.bigcommerce.seed_marketing import cart_value_rule, promotion
from sandbox.bigcommerce.server import BigCommerceEmulator

PAGE = 250


def populate(emu: BigCommerceEmulator, promotions: int, products: int) -> None:
    """Promotions, coupons and products straight into the emulator's store (before any
    request), every fifth product with 3 colour variants; products last modified a minute
    apart over the days before, as a catalog's are (the incremental read's premise)."""
    store = emu.store
    now = store.now()
    for n in range(promotions):
        pid = store.next_id("promotion")
        store.promotions[pid] = promotion(
            pid, f"Bench promotion {n}", start=now, end=None, rules=[cart_value_rule(5 + n % 20)]
        )
        cid = store.next_id("coupon", max(store.coupons, default=0) + 1)
        store.coupons[cid] = {
            **store.coupons[min(store.coupons)],
            "id": cid,
            "name": f"Bench coupon {n}",
            "code": f"BENCH{n:05d}",
        }
    for n in range(products):
        pid = store.next_id("product")
        product = blank_product(pid, iso8601(now - 86_400 - 60 * n) or "")
        product.update({"name": f"Bench product {n}", "sku": f"BENCH-{n}", "price": 10 + n % 90})
        product["calculated_price"] = product["price"]
        store.products[pid] = product
        combos = [[("Color", c)] for c in ("Red", "Navy", "Forest")] if n % 5 == 0 else [[]]
        for combo in combos:
            add_variant(store, product, combo)
        product["base_variant_id"] = product["_variant_ids"][0]


def coupons_by_min_id(client: BigCommerceClient) -> Iterator[dict[str, Any]]:
    """`GET /v2/coupons?min_id=&limit=250` until a short page (204 when none are left)."""
    after = 0
    while True:
        page = client.get_v2("/coupons", {"min_id": after + 1, "limit": PAGE}) or []
        yield from page
        if len(page) < PAGE:
            return
        after = int(page[-1]["id"])


def pipeline_cycle(
    client: BigCommerceClient, history: PriceHistory, store_hash: str
) -> dict[str, Any]:
    promotions = {int(p["id"]): p["rules"] for p in client.iter_v3("/promotions")}
    coupons = {int(c["id"]): c["code"] for c in coupons_by_min_id(client)}
    poll = poll_prices(client, history, store_hash, datetime.now(UTC))
    return {"promotions": promotions, "coupons": coupons, "poll": poll}


def naive_cycle(client: BigCommerceClient) -> dict[str, Any]:
    promotion_ids = [int(p["id"]) for p in client.iter_v3("/promotions")]
    promotions = {i: client.get_v3(f"/promotions/{i}")["rules"] for i in promotion_ids}
    coupon_ids = [int(c["id"]) for c in client.iter_v2("/coupons")]
    coupons = {i: client.get_v2(f"/coupons/{i}")["code"] for i in coupon_ids}
    product_ids = [int(p["id"]) for p in client.iter_v3("/catalog/products")]
    prices: dict[tuple[int, int], int] = {}
    for pid in product_ids:
        product = client.get_v3(f"/catalog/products/{pid}", {"include": "variants"})
        own = round((product["sale_price"] or product["price"]) * 100)
        prices[(pid, 0)] = own
        for variant in product["variants"]:
            sale = variant["sale_price"] if variant["sale_price"] is not None else None
            price = variant["price"] if variant["price"] is not None else None
            chosen = sale or price
            prices[(pid, int(variant["id"]))] = own if chosen is None else round(chosen * 100)
    return {"promotions": promotions, "coupons": coupons, "prices": prices}


def measured(emu: BigCommerceEmulator, run: Callable[[], dict[str, Any]]) -> tuple[dict, dict]:
    emu.reset_counters()
    started = time.monotonic()
    seen = run()
    counters = emu.request_counters()
    counters["seconds"] = time.monotonic() - started
    return seen, counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--promotions", type=int, default=1000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        BigCommerceEmulator(orders=1, seed=3, quota=None) as emu,
        BigCommerceClient(emu.base_url, emu.access_token, governor=None) as client,
    ):
        populate(emu, args.promotions, args.products)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'index.sqlite3'}")
        upgrade(engine)
        history = PriceHistory(engine)
        ours, full = measured(emu, lambda: pipeline_cycle(client, history, emu.store_hash))
        latest = history.latest(emu.store_hash, "USD").items()
        ours["prices"] = {key: point.selling_minor for key, point in latest}
        theirs, naive = measured(emu, lambda: naive_cycle(client))
        for key in ("promotions", "coupons", "prices"):
            if ours[key] != theirs[key]:
                raise SystemExit(f"the modes disagree on {key}")
        for pid in list(emu.store.products)[: args.changes]:
            emu.change_price(pid, price=float(emu.store.products[pid]["price"]) + 1)
        after, incremental = measured(emu, lambda: pipeline_cycle(client, history, emu.store_hash))
        assert after["poll"].recorded >= args.changes and not after["poll"].full
    store = {
        "promotions": len(ours["promotions"]),
        "coupons": len(ours["coupons"]),
        "products": sum(1 for _, variant in ours["prices"] if variant == 0),
        "price_keys": len(ours["prices"]),
    }
    rows = [
        {"mode": "pipeline, full price read", "calls": full["total"], "seconds": full["seconds"]},
        {
            "mode": "pipeline, incremental",
            "calls": incremental["total"],
            "seconds": incremental["seconds"],
        },
        {"mode": "naive per-object read", "calls": naive["total"], "seconds": naive["seconds"]},
    ]
    print_table(
        f"Calls per poll cycle: {store['promotions']:,} promotions, {store['coupons']:,} "
        f"coupons, {store['products']:,} products ({store['price_keys']:,} price keys)",
        rows,
    )
    print(f"naive/pipeline: {naive['total'] / full['total']:.0f}x (full), "
          f"{naive['total'] / incremental['total']:.0f}x (incremental)")  # fmt: skip
    write_results(
        "campaigns",
        {
            "store": store,
            "changes": args.changes,
            "pipeline_full": full,
            "pipeline_incremental": incremental,
            "naive": naive,
        },
    )


if __name__ == "__main__":
    main()
