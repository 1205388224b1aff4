"""`bcrm recalls scan`: the part of a recall's window older than the archive index, read
from the store itself.

BigCommerce cannot list orders by SKU (reference flow 6), so the store's orders placed in
[since, the index's oldest order) are paged through `GET /v2/orders` (`min_date_created`,
`max_date_created`, `sort=id:asc`, `include=consignments.line_items`: one call per 250
orders with their lines and ship-to addresses, reference §4.2), each page's order lines
written into the index as it goes (`ArchiveIndex.order_lines_seen`, the same rows an
archived order gets), and where it got to (`recall_scans`) after each page, so a scan
stopped half-way resumes at its next page. The window is fixed when the scan starts and
sorted by id, so a resumed scan's pages are the ones it would have read. Every call goes
through the store's client and so through the fleet's shared quota.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pipeline.index.recalls import Recall, ScanState
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import OrderLineRow, ship_to
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.consignments import order_parts

PAGE = 250
FOUND_BY = "scan"


def _date(value: str) -> datetime:
    return parsedate_to_datetime(value).astimezone(UTC)


def order_lines(order: dict[str, Any]) -> list[OrderLineRow]:
    """A listed order's lines as the index keeps them (as `rows.order_lines_of` makes them
    from a snapshot)."""
    products, addresses = order_parts(order)
    countries = {int(a["id"]): str(a.get("country_iso2") or "") for a in addresses}
    fallback = str((order.get("billing_address") or {}).get("country_iso2") or "")
    return [
        OrderLineRow(
            line_id=int(line["id"]),
            sku=str(line.get("sku") or ""),
            product_id=line.get("product_id"),
            variant_id=line.get("variant_id"),
            quantity=int(line["quantity"]),
            ship_to_country=ship_to(countries, line.get("order_address_id"), fallback),
            customer_id=int(order.get("customer_id") or 0),
        )
        for line in products
    ]


def window(index: ArchiveIndex, recall: Recall, since: datetime) -> tuple[datetime, datetime]:
    """[since, until]: up to the index's oldest order (or the recall's end, if earlier)."""
    oldest = index.recalls.oldest_order(recall.store_hash)
    ends = [moment for moment in (oldest, recall.sold_to) if moment is not None]
    return since, min(ends, default=datetime.now(UTC))


def scan(
    client: BigCommerceClient,
    index: ArchiveIndex,
    recall: Recall,
    since: datetime,
) -> ScanState:
    """Read the window's orders into the index, page by page, resuming a scan of the same
    window; the final state."""
    store_hash, recall_id = recall.store_hash, recall.recall_id
    start, until = window(index, recall, since)
    state = index.recalls.scan(store_hash, recall_id)
    if state is None or (state.since, state.finished_at) != (start, None):
        state = ScanState(start, until, 1, 0)
    while state.finished_at is None:
        params = {
            "min_date_created": state.since.isoformat(),
            "max_date_created": state.until.isoformat(),
            "sort": "id:asc",
            "include": "consignments.line_items",
            "consignment_structure": "object",
            "page": state.next_page,
            "limit": PAGE,
        }
        orders = client.get_v2("/orders", params) or []
        for order in orders:
            index.order_lines_seen(
                store_hash, int(order["id"]), _date(order["date_created"]), order_lines(order)
            )
        state = replace(
            state,
            next_page=state.next_page + 1,
            orders_read=state.orders_read + len(orders),
            finished_at=datetime.now(UTC) if len(orders) < PAGE else None,
        )
        index.recalls.save_scan(store_hash, recall_id, state)
    return state
