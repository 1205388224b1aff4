"""Recalls (flow 6): (a) a recall's affected orders from the archive index over
1,000,000 order lines, on SQLite and PostgreSQL, against a scan of the store's orders
through the API (`recall_index`); (b) decision → verified takedown of a recall's items
with 80 ms on every BigCommerce call (150 ms on every Content Server call, as `bcrm bench
publish`), through the fleet against the same steps called one after another.

(b) runs on an emulated store and ECM with a private Redis and its own archive index.
Each mode takes down a recall of its own (`--products` whole products and `--variants`
variants of other products), decided the moment it is written into the index (as flow
6's ECM poller writes it):

- `serial`: in this process, the look (`takedown.owed_units`) and, item after item, the
  publish stage's work (`publishing.publish_request`: file the takedown's change request,
  check the recall's authority, re-read, write, read back) with its receipt rendered,
  classified and declared in place. *Verified* is when the receipt is handed over (read
  back off sale), *filed* when the stage ended after its receipt was declared.
- `fleet`: the look owes every takedown at once (`takedown.owe_takedowns`, what beat's
  `bcrm.control.recall_takedowns` does each poll interval: production adds up to
  `BCRM_POLL_INTERVAL_S`), I/O nodes of 8 threads and a CPU node publish and file.
  *Verified* is when the publish stage finished (the ledger's `finished:publish`),
  *filed* when the receipt's declare finished.

    python bench/recalls.py [--lines 1000000] [--repeats 20] [--scan-orders 200]
                            [--products 3] [--variants 12] [--io-nodes 2] [--no-postgres]

Prints tables and writes bench/results/recalls.json.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import Emulators, emulators, fleet, print_table, private_redis, write_results
from publish import Counted, percentile
from recall_index import QUOTA_PER_30S, Search, search

if TYPE_CHECKING:
    from pipeline.core.messages import DocumentMessage
    from pipeline.index.recalls import Recall, RecalledItem

LATENCY_MS = (80.0, 150.0)  # BigCommerce, Content Server
PG_DATABASE = "bcrm_bench_recalls"
SETTLE_TIMEOUT_S = 1800.0


# -- (a) the index against the API ----------------------------------------------------


def sqlite_search(work: Path, lines: int, repeats: int) -> Search:
    from pipeline.index.database import make_engine, upgrade

    engine = make_engine(f"sqlite:///{work / 'bench-index.sqlite3'}")
    upgrade(engine)
    return search("sqlite", engine, lines, repeats)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database of its own on the server of BCRM_DATABASE_URL (else the test server,
    BCRM_TEST_DATABASE_URL or postgres@127.0.0.1:5432), dropped afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = os.environ.get("BCRM_DATABASE_URL") or os.environ.get(
        "BCRM_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    server = make_url(base).set(drivername="postgresql+psycopg", database="postgres")
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            connection.exec_driver_sql(f"CREATE DATABASE {PG_DATABASE}")
        yield server.set(database=PG_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.dispose()


def postgres_search(lines: int, repeats: int) -> Search | str:
    """The search on PostgreSQL, or why it was skipped."""
    from sqlalchemy.exc import OperationalError

    from pipeline.index.database import make_engine, upgrade

    try:
        with postgres_database() as url:
            engine = make_engine(url)
            upgrade(engine)
            try:
                return search("postgresql", engine, lines, repeats)
            finally:
                engine.dispose()
    except OperationalError as exc:
        return f"skipped: no PostgreSQL server answered ({str(exc).splitlines()[0]})"


@dataclass
class Scan:
    """The API scan as measured, and extrapolated to the index's store."""

    orders: int
    calls: int
    seconds: float
    affected_orders: int
    same_as_index: bool
    extrapolated_orders: int
    extrapolated_calls: int
    latency_bound_h: float
    quota_bound_h: dict[str, float]


def order_lines_of(client: Any, order: dict[str, Any]) -> list[Any]:
    from pipeline.index.rows import OrderLineRow

    return [
        OrderLineRow(
            int(p["id"]), str(p.get("sku") or ""), p.get("product_id"), p.get("variant_id"),
            int(p.get("quantity") or 0), "",
        )
        for p in client.order_products(int(order["id"]))
    ]  # fmt: skip


def api_scan(work: Path, world: Emulators, index_orders: int) -> Scan:
    """Page every order of the emulated store and read its products, as the only way
    BigCommerce offers to find a SKU's orders; check the match set against the index
    built from what the scan read."""
    from pipeline.index.database import make_engine, upgrade
    from pipeline.index.recalls import Identifiers, Recall, Recalls
    from pipeline.index.records import ArchiveIndex
    from pipeline.runtime import clients

    client = clients.bigcommerce(world.store_hash)
    counted = Counted(world)
    orders: list[tuple[dict[str, Any], list[Any]]] = []
    with counted.window():
        for order in client.iter_v2("/orders", {"sort": "id:asc"}):
            orders.append((order, order_lines_of(client, order)))
    recalled = orders[0][1][0].sku  # a SKU that sold: the scan's cost does not depend on it
    matched = sorted(int(o["id"]) for o, lines in orders if any(x.sku == recalled for x in lines))
    engine = make_engine(f"sqlite:///{work / 'scan-index.sqlite3'}")
    upgrade(engine)
    index = ArchiveIndex(engine)
    for order, lines in orders:
        date = email.utils.parsedate_to_datetime(order["date_created"])
        index.order_lines_seen(world.store_hash, int(order["id"]), date, lines)
    recall = Recall(
        world.store_hash, "RCL-SCAN", Identifiers(skus=(recalled,)),
        datetime(2000, 1, 1, tzinfo=UTC), None, "bench", "bench", "high",
    )  # fmt: skip
    found = Recalls(engine).affected_orders(recall)
    calls = sum(counted.bigcommerce.values())
    per_order_s, calls_per_order = counted.seconds / len(orders), calls / len(orders)
    total_calls = round(calls_per_order * index_orders)
    quota_h = {plan: round(total_calls / (q / 30) / 3600, 1) for plan, q in QUOTA_PER_30S.items()}
    return Scan(
        len(orders), calls, round(counted.seconds, 1), len(matched), found == matched,
        index_orders, total_calls, round(per_order_s * index_orders / 3600, 1),
        quota_h,
    )  # fmt: skip


# -- (b) decision → verified takedown ---------------------------------------------------


@dataclass
class Takedown:
    """One row of the table; latencies in seconds from the decision."""

    mode: str
    items: int
    verified_p50_s: float
    verified_last_s: float
    filed_last_s: float
    bigcommerce_calls_per_item: float
    otcs_calls_per_item: float


def pick_items(world: Emulators, products: int, variants: int) -> list[list[tuple[int, int]]]:
    """Two disjoint sets of items (one per mode): whole products, and variants of other
    products."""
    from pipeline.runtime import clients

    client = clients.bigcommerce(world.store_hash)
    catalog = list(client.iter_v3("/catalog/products", {"include": "variants"}))
    wholes = [(p["id"], 0) for p in catalog[: 2 * products]]
    pool = [(p["id"], v["id"]) for p in catalog[2 * products :] for v in p["variants"]]
    if len(pool) < 2 * variants:
        raise SystemExit(f"the store has {len(pool)} variants to recall, not {2 * variants}")
    return [wholes[:products] + pool[:variants], wholes[products:] + pool[variants : 2 * variants]]


def decide(store_hash: str, name: str, items: list[tuple[int, int]]) -> Recall:
    """The recall written into the index, decided now (by someone other than its opener)."""
    from pipeline.index.recalls import Identifiers, Recall, RecalledItem
    from pipeline.runtime import services

    recalls = services.archive_index().recalls
    recall = Recall(
        store_hash, name, Identifiers(skus=(name,)), datetime(2026, 1, 1, tzinfo=UTC), None,
        "Bench hazard", "Bench remedy", "high", opened_by="quality", decided_by="legal",
    )  # fmt: skip
    recalls.add_items(store_hash, name, [RecalledItem(p, v, "", "sku") for p, v in items])
    recall = replace(recall, decided_at=datetime.now(UTC))
    recalls.save(recall)
    return recall


def close(recall: Recall) -> None:
    from pipeline.runtime import services

    services.archive_index().recalls.save(replace(recall, decision="closed"))


def run_serial(world: Emulators, items: list[tuple[int, int]]) -> Takedown:
    from pipeline.core import document_stages
    from pipeline.flows.approvals.publishing import publish_request
    from pipeline.flows.recalls.takedown import owed_units
    from pipeline.runtime import services

    counted, verified, filed = Counted(world), [], []
    with counted.window():
        recall = decide(world.store_hash, "RCL-SERIAL", items)
        decided = time.perf_counter()

        def file_here(message: DocumentMessage) -> None:
            verified.append(time.perf_counter() - decided)
            document_stages.declare(document_stages.classify(document_stages.render(message)))

        for unit in owed_units(services.archive_index().recalls, world.store_hash):
            [ref] = unit.args
            result = publish_request(ref, hand_over=file_here)
            if result["result"] != "published":
                raise RuntimeError(f"{ref['change_request']}: {result}")
            filed.append(time.perf_counter() - decided)
    close(recall)
    return row("serial (one process)", verified, filed, counted)


def row(mode: str, verified: list[float], filed: list[float], counted: Counted) -> Takedown:
    n = len(verified)
    return Takedown(
        mode, n, percentile(verified, 50), round(max(verified), 3), round(max(filed), 3),
        round(sum(counted.bigcommerce.values()) / n, 2), round(sum(counted.otcs.values()) / n, 1),
    )  # fmt: skip


def finished(recall: Recall, items: list[RecalledItem]) -> list[tuple[float, float]] | None:
    """Per item, when its publish stage and its receipt's declare finished (epoch
    seconds); None until every one has."""
    import json

    from pipeline.flows.recalls.takedown import takedown_key
    from pipeline.runtime import services

    ledger = services.ledger()
    keys = [takedown_key(recall, item) for item in items]
    units = ledger.get_many(keys)
    if not all("finished:publish" in unit for unit in units):
        return None
    receipts = ledger.get_many([json.loads(u["done:publish"])["receipt"] for u in units])
    if not all("finished:declare" in receipt for receipt in receipts):
        return None
    return [
        (float(u["finished:publish"]), float(r["finished:declare"]))
        for u, r in zip(units, receipts, strict=True)
    ]


def run_fleet(
    world: Emulators, redis_url: str, log_dir: Path, items: list[tuple[int, int]], io_nodes: int
) -> Takedown:
    from pipeline.flows.recalls.takedown import owe_takedowns
    from pipeline.runtime import services

    counted = Counted(world)
    with fleet(redis_url, log_dir, ("io",) * io_nodes + ("cpu",)), counted.window():
        recall = decide(world.store_hash, "RCL-FLEET", items)
        decided = time.time()
        recalls = services.archive_index().recalls
        owe_takedowns(recalls, world.store_hash)
        listed = recalls.items(world.store_hash, recall.recall_id)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while (done := finished(recall, listed)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the fleet did not take every item down in time")
            time.sleep(0.1)
    close(recall)
    verified = [published - decided for published, _ in done]
    filed = [max(published, declared) - decided for published, declared in done]
    return row(f"fleet ({io_nodes} io × 8 threads, cpu × 2)", verified, filed, counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines indexed")
    parser.add_argument("--repeats", type=int, default=20, help="warm searches timed")
    parser.add_argument("--scan-orders", type=int, default=200, help="orders the API scan reads")
    parser.add_argument("--products", type=int, default=3, help="whole products per recall")
    parser.add_argument("--variants", type=int, default=12, help="variants per recall")
    parser.add_argument("--io-nodes", type=int, default=2, help="I/O nodes of 8 threads each")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-recalls-") as tmp:
        work = Path(tmp)
        os.environ["BCRM_DATA_DIR"] = str(work / "data")  # the run's own archive index
        searches: list[Search | str] = [sqlite_search(work, args.lines, args.repeats)]
        searches.append(
            "skipped: --no-postgres" if args.no_postgres
            else postgres_search(args.lines, args.repeats)
        )  # fmt: skip
        index_orders = next(s.orders for s in searches if isinstance(s, Search))
        with (
            private_redis(work) as server,
            emulators(work / "logs", orders=args.scan_orders) as world,
        ):
            world.set_latency(*LATENCY_MS)
            scan = api_scan(work, world, index_orders)
            serial_items, fleet_items = pick_items(world, args.products, args.variants)
            serial = run_serial(world, serial_items)
            fleet_run = run_fleet(world, server.url, work / "logs", fleet_items, args.io_nodes)
    found = [asdict(s) for s in searches if isinstance(s, Search)]
    skipped = [s for s in searches if isinstance(s, str)]
    print_table(f"(a) affected orders from the index ({args.lines:,} order lines)", found)
    for reason in skipped:
        print(f"postgresql: {reason}")
    print_table("(a) baseline: the store's orders scanned through the API (80 ms a call)",
                [asdict(scan) | {"quota_bound_h": str(scan.quota_bound_h)}])  # fmt: skip
    takedowns = [asdict(serial), asdict(fleet_run)]
    print_table("(b) decision → verified takedown (80 ms BigCommerce, 150 ms OTCS)", takedowns)
    write_results(
        "recalls",
        {
            "benchmark": "recalls",
            "index_search": found,
            "postgresql": skipped[0] if skipped else "measured",
            "api_scan": asdict(scan),
            "api_scan_note": "measured in full on the smaller store, extrapolated to the "
            "index's order count by time per order (latency-bound, one call at a time) and "
            "by the store's quota (Standard/Plus 150 per 30 s, Pro 450)",
            "latency_ms": dict(zip(("bigcommerce", "otcs"), LATENCY_MS, strict=True)),
            "takedown": takedowns,
        },
    )


if __name__ == "__main__":
    main()
