"""P8 Content Server calls per declared record, by route, for today's declare sequence
against the one before issue 18 (`shortcuts.BASELINE`: every container looked up, the
classification read before and after its write, links found by listing folders), in
the same run against the same store; and records per second through declare with 150 ms
on every Content Server call.

The store is seeded as `bcrm demo` seeds it (`--orders 300` is the demo's store, `--orders
2000` the one of `bcrm bench p1`). Every document its orders owe is fetched, rendered and
classified once, in this process; then each sequence declares all of them:

1. a fresh start: the ECM emptied, the store's archive index rows, the remembered
   container ids and the subject register dropped, a new client (cold per-process
   lookups), so both sequences file every record anew;
2. every message declared by `--threads` threads, as an I/O worker node's threads run
   them, order after order, so an order's documents are declared side by side (the
   races the fleet has);
3. calls by route from the emulator's request counters; calls per record counted per
   declare on the client (a response hook per thread): the median and the spread.

Then the same over the first `--latency-orders` orders' documents with 150 ms on every
Content Server call, timed: declare alone, records per second, both sequences.

    python bench/declare_calls.py [--orders 300] [--threads 8] [--latency-orders 40]

Prints tables and writes bench/results/declare_calls.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from harness import Emulators, emulators, print_table, private_redis, write_results

if TYPE_CHECKING:
    from pipeline.records.shortcuts import DeclareShortcuts

TARGET = 4.0
ORDERS = 300
THREADS = 8
LATENCY_MS = 150.0
LATENCY_ORDERS = 40
SEQUENCES = ("baseline", "current")


def owed_messages(store_hash: str) -> list[list[dict[str, Any]]]:
    """Per order, each owed document's message as the classify stage hands it to declare."""
    from pipeline.core import document_stages, registry
    from pipeline.core.messages import document_message
    from pipeline.runtime import clients, services

    source = registry.fetched_sources()["order"]
    flows = registry.consumers(source.name)
    orders = []
    for order in clients.bigcommerce(store_hash).iter_orders(include=()):
        snapshot, raw = source.fetch({"store_hash": store_hash, "order_id": int(order["id"])})
        digest = services.staging().put(raw)
        source.after_fetch(snapshot)
        specs = [spec for flow in flows for spec in flow.documents_owed(snapshot)]
        orders.append(
            [
                dict(document_stages.classify(document_stages.render(document_message(s, digest))))
                for s in specs
            ]
        )
    return orders


def fresh_start(world: Emulators) -> None:
    """An empty ECM, and nothing remembered of the one before (see the docstring)."""
    from pipeline.core import keys
    from pipeline.runtime import clients, redis_client

    world.reset_ecm()
    client = redis_client()
    for pattern in (f"{keys.PREFIX}:otcs:node-id*", f"{keys.PREFIX}:otcs:declared:*"):
        stale = list(client.scan_iter(pattern, count=1000))
        if stale:
            client.delete(*stale)
    clients.otcs.cache_clear()


@contextmanager
def counted_calls() -> Iterator[threading.local]:
    """Every Content Server answer the process's client gets, counted per thread."""
    from pipeline.runtime import clients

    counts = threading.local()

    def count(response: requests.Response, *args: object, **kwargs: object) -> None:
        counts.calls = getattr(counts, "calls", 0) + 1

    hooks = clients.otcs().session.hooks["response"]
    hooks.append(count)
    try:
        yield counts
    finally:
        hooks.remove(count)


def declare_all(
    orders: list[list[dict[str, Any]]], shortcuts: DeclareShortcuts, threads: int
) -> tuple[list[int], float]:
    """Declare every message with `shortcuts`: calls per record, and seconds taken."""
    from pipeline.core import document_stages
    from pipeline.records.shortcuts import taking

    with taking(shortcuts), counted_calls() as counts:

        def declare(message: Mapping[str, Any]) -> int:
            counts.calls = 0
            document_stages.declare(message)
            return int(counts.calls)

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            per_record = list(pool.map(declare, [m for order in orders for m in order]))
        return per_record, time.perf_counter() - started


def counters(world: Emulators) -> dict[str, dict[str, Any]]:
    answer = requests.get(f"{world.otcs_admin}/counters", timeout=30)
    answer.raise_for_status()
    return dict(answer.json())


def run(
    world: Emulators, orders: list[list[dict[str, Any]]], name: str, threads: int
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """One sequence from a fresh start: its summary row and the emulator's counters."""
    from pipeline.records import shortcuts

    fresh_start(world)
    requests.delete(f"{world.otcs_admin}/counters", timeout=30).raise_for_status()
    per_record, elapsed = declare_all(orders, getattr(shortcuts, name.upper()), threads)
    routes = counters(world)
    total = sum(int(route["count"]) for route in routes.values())
    refused = sum(_refused(route) for route in routes.values())
    row = {
        "sequence": name,
        "records": len(per_record),
        "calls": total,
        "calls_per_record": total / len(per_record),
        "median": statistics.median(per_record),
        "p90": statistics.quantiles(per_record, n=10)[-1],
        "max": max(per_record),
        "refused": refused,
        "elapsed_s": round(elapsed, 2),
    }
    spread = dict(sorted(Counter(per_record).items()))
    return {**row, "per_record_spread": spread}, routes


def latency_run(
    world: Emulators, orders: list[list[dict[str, Any]]], name: str, threads: int
) -> dict[str, Any]:
    from pipeline.records import shortcuts

    fresh_start(world)
    world.set_latency(0, LATENCY_MS)
    try:
        per_record, elapsed = declare_all(orders, getattr(shortcuts, name.upper()), threads)
    finally:
        world.set_latency(0, 0)
    return {
        "sequence": name,
        "records": len(per_record),
        "otcs_latency_ms": LATENCY_MS,
        "threads": threads,
        "elapsed_s": round(elapsed, 2),
        "records_per_s": len(per_record) / elapsed,
        "calls_per_record": sum(per_record) / len(per_record),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=ORDERS, help="orders in the store")
    parser.add_argument("--threads", type=int, default=THREADS, help="declaring threads")
    parser.add_argument(
        "--latency-orders", type=int, default=LATENCY_ORDERS, help="orders timed at 150 ms"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-p8-") as tmp:
        work = Path(tmp)
        os.environ["BCRM_DATA_DIR"] = str(work)  # an archive index of this run alone
        with private_redis(work), emulators(work / "logs", args.orders) as world:
            orders = owed_messages(world.store_hash)
            runs, routes = {}, {}
            for name in SEQUENCES:
                runs[name], routes[name] = run(world, orders, name, args.threads)
            timed = orders[: args.latency_orders]
            latency = [latency_run(world, timed, name, args.threads) for name in SEQUENCES]

    records = runs["current"]["records"]
    by_route = [
        {
            "route": route,
            "baseline_per_record": routes["baseline"].get(route, {}).get("count", 0) / records,
            "current_per_record": routes["current"].get(route, {}).get("count", 0) / records,
            "baseline_refused": _refused(routes["baseline"].get(route)),
            "current_refused": _refused(routes["current"].get(route)),
        }
        for route in sorted(routes["baseline"].keys() | routes["current"].keys())
    ]
    rows = [{k: v for k, v in runs[name].items() if k != "per_record_spread"} for name in SEQUENCES]
    print_table(f"P8 Content Server calls per declared record ({args.orders} orders)", rows)
    print_table("per route, per record", by_route)
    print_table(f"declare alone, {LATENCY_MS:.0f} ms per Content Server call", latency)
    for name in SEQUENCES:
        print(f"{name}: calls per record → records {runs[name]['per_record_spread']}")
    current = runs["current"]
    met = current["median"] <= TARGET and current["refused"] == 0
    print(f"median {current['median']} calls per record; target ≤ {TARGET}: {met}")
    write_results(
        "declare_calls",
        {
            "benchmark": "p8",
            "orders": args.orders,
            "threads": args.threads,
            "runs": [runs[name] for name in SEQUENCES],
            "routes": by_route,
            "latency": latency,
            "target": TARGET,
            "met": met,
        },
    )


def _refused(route: Mapping[str, Any] | None) -> int:
    """Answers of a route (emulator counters) that refused the call: 4xx and 5xx."""
    return sum(n for code, n in (route or {}).get("status", {}).items() if int(code) >= 400)


if __name__ == "__main__":
    main()
