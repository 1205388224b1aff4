"""Write the golden fixture from the emulator's seeded store (run on purpose, never in CI).

Every due document of every order, then the versions that live changes make (an order
shipped, refunded in part, refunded in full: each changes what some documents show), and
the monthly tax summaries of every seeded month.
"""

from __future__ import annotations

from typing import Any

from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.flows.fulfilment.tax_summaries import month_summaries
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.golden.names import derived, save_fixture

STORE_HASH = "g0ldenst0r"
ORDERS = 60
SEED = 11
MONTHS = [(year, month) for year in (2024, 2025) for month in range(1, 13)]


def _source(kind: str, raw: bytes) -> dict[str, Any]:
    return {"kind": kind, "source": raw.decode(), "documents": derived(kind, raw)}


def _order_source(snapshot: OrderSnapshot) -> dict[str, Any]:
    return _source("order", snapshot.to_json_bytes())


def _summary_source(summary: TaxSummary) -> dict[str, Any]:
    return _source("tax_summary", summary.to_json_bytes())


def main() -> None:
    with BigCommerceEmulator(orders=ORDERS, seed=SEED, quota=None, store_hash=STORE_HASH) as bc:
        client = BigCommerceClient(bc.base_url, bc.access_token, governor=None)
        order_ids = sorted(int(o["id"]) for o in client.iter_orders(include=()))
        sources = [_order_source(fetch_order_snapshot(client, STORE_HASH, i)) for i in order_ids]
        changed = []
        for order_id in order_ids[:40]:
            snapshot = fetch_order_snapshot(client, STORE_HASH, order_id)
            if snapshot.order.status_id in (9, 11) and len(changed) < 3:
                bc.ship(order_id)
            elif snapshot.order.status_id in (2, 10) and len(changed) < 6:
                bc.refund(order_id, amount=1.0)
            elif snapshot.order.status_id in (2, 10) and len(changed) < 8:
                bc.refund(order_id)
            else:
                continue
            changed.append(order_id)
        sources += [_order_source(fetch_order_snapshot(client, STORE_HASH, i)) for i in changed]
        for year, month in MONTHS:
            sources += [
                _summary_source(s) for s in month_summaries(client, STORE_HASH, year, month)
            ]
    save_fixture({"store_hash": STORE_HASH, "changed_orders": changed, "sources": sources})
    documents = sum(len(s["documents"]) for s in sources)
    print(f"{len(sources)} sources, {documents} documents, changed orders {changed}")


if __name__ == "__main__":
    main()
