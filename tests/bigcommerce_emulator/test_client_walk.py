"""The acceptance check: a client written against the real API pages through everything,
following only what the API itself hands out (204 ends, `{url}` links, `links.next`)."""

from __future__ import annotations

import requests

from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_emulator.conftest import MAX_PAGES, SEED_ORDERS


def test_client_walks_orders_subresources_products_pages_and_refunds(
    emulator: BigCommerceEmulator,
) -> None:
    session = requests.Session()
    session.headers.update(
        {
            "X-Auth-Token": emulator.access_token,
            "X-Auth-Client": "ignored",
            "Accept": "application/json",
        }
    )
    v2, v3 = f"{emulator.base_url}/v2", f"{emulator.base_url}/v3"

    orders: list[dict] = []
    for page in range(1, MAX_PAGES):
        response = session.get(f"{v2}/orders", params={"limit": 250, "page": page}, timeout=30)
        if response.status_code != 200:
            break
        orders.extend(response.json())
    assert response.status_code == 204 and len(orders) >= SEED_ORDERS - 5

    for order in orders[:25]:
        for name in ("products", "shipping_addresses", "coupons"):
            sub = session.get(order[name]["url"], timeout=30)
            assert sub.status_code in (200, 204)
            if name == "products":
                assert sum(p["quantity"] for p in sub.json()) == order["items_total"]

    def walk_v3(url: str) -> list[dict]:
        rows: list[dict] = []
        for _ in range(MAX_PAGES):
            if not url:
                return rows
            body = session.get(url, timeout=30).json()
            rows.extend(body["data"])
            nxt = body["meta"]["pagination"]["links"].get("next")
            url = f"{url.split('?')[0]}{nxt}" if nxt else ""
        raise AssertionError(f"links.next never ran out for {url}")

    products = walk_v3(f"{v3}/catalog/products?limit=25&include=variants")
    assert len(products) == len({p["id"] for p in products}) == 120
    refunds = walk_v3(f"{v3}/orders/payment_actions/refunds?limit=10")
    refunded = {o["id"] for o in orders if o["status_id"] in (4, 14)}
    assert {r["order_id"] for r in refunds} == refunded
    pages = walk_v3(f"{v3}/content/pages?limit=3&include=body")
    assert all("body" in p for p in pages) and len(pages) >= 8
