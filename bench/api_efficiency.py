"""P1 API efficiency: BigCommerce calls per fully archived order, from the emulator's
request counters, against a naive fetch with one call per sub-resource.

Both modes read the same seeded store (emulator in its own process, no quota); the
emulator's counters are reset before each and read after it, per route:

- `naive`: list the orders, then per order the order and each of its sub-resources once
  (order, products, shipping addresses, fees, shipments, coupons, taxes, transactions,
  refunds), as per-order sub-streams do (reference §11).
- `pipeline`: what the poller and `bcrm backfill` do (`order_fetch.listed_orders`, each
  listing staged) and then, per order, what the fetch task does with that message
  (`staged_listing`, `fetch_order_snapshot`), in this process instead of a fleet.

Render, classify and declare never call BigCommerce, so an order's fetch is every call
its due documents cost; the fleet adds only `GET /v2/store` once per worker process. The
run fails unless both modes owe exactly the same documents (kind, part and fingerprint of
the facts), i.e. the saved calls changed no document.

    python bench/api_efficiency.py [--orders 2000]

Prints a table and writes bench/results/api_efficiency.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from harness import Emulators, emulators, print_table, private_redis, write_results

if TYPE_CHECKING:
    from pipeline.integrations.bigcommerce.client import BigCommerceClient
    from schemas.snapshot import OrderSnapshot

TARGET = 2.2
ORDERS = 2000

Due = dict[int, list[tuple[str, str | None, str]]]  # order id -> (kind, sub id, fingerprint)


def naive_snapshot(
    client: BigCommerceClient, store_hash: str, seller: dict[str, Any], order_id: int
) -> OrderSnapshot:
    """The baseline: every part of the order read by its own call, whether or not the
    order has any of it or a due document shows it."""
    from pipeline.flows.commerce.order_fetch import load_snapshot

    order = client.get_order(order_id, include=())
    order["fees"] = list(client.iter_v2(f"/orders/{order_id}/fees"))
    return load_snapshot(
        {
            "store_hash": store_hash,
            "seller": seller,
            "order": order,
            "products": client.order_products(order_id),
            "shipping_addresses": client.order_shipping_addresses(order_id),
            "shipments": client.order_shipments(order_id),
            "coupons": client.order_coupons(order_id),
            "taxes": client.order_taxes(order_id),
            "transactions": client.order_transactions(order_id),
            "refunds": client.order_refunds(order_id),
        }
    )


def run_naive(client: BigCommerceClient, store_hash: str) -> Due:
    from pipeline.flows.commerce.order_fetch import seller_of

    seller = seller_of(client.store_information())
    ids = [int(order["id"]) for order in client.iter_orders(include=())]
    return {i: _due(naive_snapshot(client, store_hash, seller, i)) for i in ids}


def run_pipeline(client: BigCommerceClient, store_hash: str) -> Due:
    """Produce every order's fetch message as a backfill does, then fetch each."""
    from pipeline.flows.commerce.intake import order_event_ref
    from pipeline.flows.commerce.order_fetch import (
        fetch_order_snapshot,
        listed_orders,
        stage_listing,
        staged_listing,
    )
    from pipeline.flows.commerce.pollers import order_version_id

    refs = [
        order_event_ref(
            store_hash,
            int(listing.order["id"]),
            "poll",
            order_version_id(listing.order),
            stage_listing(store_hash, listing),
        )
        for listing in listed_orders(client)
    ]
    return {
        ref["order_id"]: _due(
            fetch_order_snapshot(client, store_hash, ref["order_id"], staged_listing(ref))
        )
        for ref in refs
    }


def _due(snapshot: OrderSnapshot) -> list[tuple[str, str | None, str]]:
    from pipeline.flows.commerce.documents import due_documents

    return [(ref.kind, ref.part, ref.fingerprint) for ref in due_documents(snapshot)]


def counted(
    world: Emulators, run: Callable[[BigCommerceClient, str], Due]
) -> tuple[Due, dict[str, int], float]:
    """Run one mode with fresh request counters: (due documents, calls per route, seconds)."""
    from pipeline.runtime import clients

    counters = f"{world.bigcommerce_admin}/counters"
    requests.delete(counters, timeout=30).raise_for_status()
    started = time.perf_counter()
    due = run(clients.bigcommerce(world.store_hash), world.store_hash)
    elapsed = time.perf_counter() - started
    calls = requests.get(counters, timeout=30).json()
    return due, {route: int(n) for route, n in calls.items()}, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=ORDERS, help="orders in the store")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-p1-") as tmp:
        work = Path(tmp)
        with private_redis(work), emulators(work / "logs", args.orders) as world:
            naive, naive_calls, naive_s = counted(world, run_naive)
            ours, our_calls, our_s = counted(world, run_pipeline)

    if ours != naive:
        differ = sorted(i for i in naive.keys() | ours.keys() if naive.get(i) != ours.get(i))
        raise SystemExit(f"due documents differ from the naive fetch's for orders {differ[:20]}")
    orders = len(ours)
    documents = sum(len(refs) for refs in ours.values())
    per_order = our_calls["total"] / orders
    runs = [
        {
            "mode": mode,
            "orders": orders,
            "documents": documents,
            "calls": calls["total"],
            "calls_per_order": calls["total"] / orders,
            "elapsed_s": elapsed,
        }
        for mode, calls, elapsed in (
            ("naive", naive_calls, naive_s),
            ("pipeline", our_calls, our_s),
        )
    ]
    routes = sorted((naive_calls.keys() | our_calls.keys()) - {"total"})
    families = [
        {
            "route": route,
            "naive_per_order": naive_calls.get(route, 0) / orders,
            "pipeline_per_order": our_calls.get(route, 0) / orders,
            "naive": naive_calls.get(route, 0),
            "pipeline": our_calls.get(route, 0),
        }
        for route in routes
    ]
    print_table("P1 BigCommerce calls per fully archived order", runs)
    print_table("per route", families)
    print(f"ratio {naive_calls['total'] / our_calls['total']:.2f}; target ≤ {TARGET} per order")
    write_results(
        "api_efficiency",
        {
            "benchmark": "p1",
            "runs": runs,
            "routes": families,
            "calls_per_order": round(per_order, 3),
            "naive_calls_per_order": round(naive_calls["total"] / orders, 3),
            "target": TARGET,
            "met": per_order <= TARGET,
        },
    )


if __name__ == "__main__":
    main()
