"""Fetch: read one order and everything its due documents show, as one validated snapshot.

Calls per order are the API's scarcest resource (150 per 30 s on small plans, reference
§2.2), so each part is read where it is cheapest:

- the order itself, with its line items, consignments and fees, comes from the order list
  the producer paged through anyway (reference §4.2: `GET /v2/orders` takes `include=
  consignments.line_items,fees` and returns the same order object as `GET /orders/{id}`);
  the producer stages it and the fetch message carries its digest (DESIGN: references, not
  payloads). Events without a listing (webhooks, refund polls) read `GET /orders/{id}`,
  and so does a listing that is no longer the order as last seen (`_observe`): a retried
  or reordered message never files an old version after a newer one.
- refunds of a listed page come from the store-wide refund list filtered by `order_id:in`
  (reference §5), one call for every refunded order of the page;
- shipments and transactions only when the order says it has some (`items_shipped`,
  `payment_status`, reference §4.3);
- taxes, and coupons when there is a `coupon_discount`, only when a due document shows
  them (`documents.shows_taxes`): the reference has no batched or included form of
  `/orders/{id}/taxes`, and the per-line fields of §4.4 (`total_tax`, `price_tax`) carry
  neither the tax's name nor its rate, which the invoice and the tax breakdown print.

Transactions stay one call per order that has a payment status: each one is its own
payment record, and the reference lists no store-wide or included form of them (§5).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from marshmallow import ValidationError

from pipeline import runtime
from pipeline.core import keys
from pipeline.core.errors import PermanentError
from pipeline.core.redis_values import text
from pipeline.core.staging import StagedBlobMissing
from pipeline.flows.commerce import sellers
from pipeline.flows.commerce.documents import shows_taxes
from pipeline.integrations.bigcommerce.client import PAGE_LIMIT, BigCommerceClient
from pipeline.integrations.bigcommerce.consignments import order_parts
from pipeline.runtime import services
from pipeline.runtime.log import log_event
from schemas.snapshot import OrderSnapshot


class InvalidSnapshot(PermanentError):
    """BigCommerce returned an order the schema refuses; a person must look at it."""


@dataclass(frozen=True)
class Listing:
    """What the order list page gave for one order: the order with its includes, and its
    refunds from the store-wide list (empty when nothing was refunded)."""

    order: dict[str, Any]
    refunds: list[dict[str, Any]]

    def to_json_bytes(self) -> bytes:
        return _json_bytes({"order": self.order, "refunds": self.refunds})

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Listing:
        body = json.loads(raw)
        return cls(body["order"], body["refunds"])


def listed_orders(client: BigCommerceClient, **filters: Any) -> Iterator[Listing]:
    """Every order `client.iter_orders(**filters)` lists, with its includes and refunds.

    Rows come a page (`PAGE_LIMIT`) at a time; the page's refunded orders get their
    refunds in one call to the store-wide list, whose `meta.pagination` is unconfirmed
    (reference §13): `iter_refunds` reads further pages when it is there.
    """
    for page in _pages(client.iter_orders(**filters, limit=PAGE_LIMIT), PAGE_LIMIT):
        refunded = [int(order["id"]) for order in page if _amount(order, "refunded_amount")]
        refunds: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for refund in client.iter_refunds(order_ids=refunded):
            refunds[int(refund["order_id"])].append(refund)
        for order in page:
            yield Listing(order, refunds.get(int(order["id"]), []))


def stage_listing(store_hash: str, listing: Listing) -> str:
    """Stage a listed order for its fetch; the digest goes into the fetch message."""
    _observe(store_hash, listing.order)
    return services.staging().put(listing.to_json_bytes())


def staged_listing(ref: dict[str, Any]) -> Listing | None:
    """The listing a fetch message refers to, if it is still staged and still the order as
    last seen; otherwise None, and fetch reads the order from the API.

    An expired blob (a backlog longer than the staging TTL) is not an error, nor is a
    listing overtaken by a later look at the order (a later poll, another event's fetch):
    the API has the current order either way. Overtaken is judged by content, not by
    `date_modified`, which has whole seconds only.
    """
    digest = ref.get("listing")
    if digest is None:
        return None
    try:
        listing = Listing.from_json_bytes(services.staging().get(digest))
    except StagedBlobMissing:
        log_event("fetch.listing_missing", record_key=ref.get("record_key"), digest=digest)
        return None
    seen = runtime.redis_client().get(_seen_key(ref["store_hash"], listing.order))
    if seen is None or text(seen) != _order_digest(listing.order):
        log_event("fetch.listing_overtaken", record_key=ref.get("record_key"))
        return None
    return listing


def _observe(store_hash: str, order: dict[str, Any]) -> None:
    """Note this content as the order as last seen, for as long as a listing stays staged."""
    ttl = runtime.settings().staging_ttl
    runtime.redis_client().set(_seen_key(store_hash, order), _order_digest(order), ex=ttl)


def _seen_key(store_hash: str, order: dict[str, Any]) -> str:
    return keys.order_seen(store_hash, int(order["id"]))


def _order_digest(order: dict[str, Any]) -> str:
    return hashlib.sha256(_json_bytes(order)).hexdigest()


def _json_bytes(body: Any) -> bytes:
    """Sorted JSON; v3 amounts parsed as Decimal go as strings, which the snapshot's money
    fields read to the same value and scale."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def seller_of(store: dict[str, Any], store_hash: str = "") -> dict[str, Any]:
    """The merchant block printed on documents: the store's `sellers.toml` table over
    what `GET /v2/store` says (`pipeline.flows.commerce.sellers`)."""
    return sellers.seller_for(store_hash, store)


@lru_cache(maxsize=64)
def _seller(client: BigCommerceClient, store_hash: str) -> dict[str, Any]:
    """Store details change rarely; one call per worker process and store."""
    return seller_of(client.store_information(), store_hash)


def fetch_order_snapshot(
    client: BigCommerceClient, store_hash: str, order_id: int, listing: Listing | None = None
) -> OrderSnapshot:
    """Read the order's parts in as few calls as the API allows (see the module docstring)
    and validate them.

    Without taxes and coupons the snapshot already decides which documents are due; when
    none of them shows taxes or coupons (an order neither paid nor closed), they are not
    read and stay empty in the snapshot.
    """
    if listing is None:
        order = client.get_order(order_id)
        _observe(store_hash, order)
        refunds = client.order_refunds(order_id) if _amount(order, "refunded_amount") else []
    else:
        order, refunds = listing.order, listing.refunds
    products, shipping_addresses = order_parts(order)
    payload = {
        "store_hash": store_hash,
        "seller": _seller(client, store_hash),
        "order": order,
        "products": products,
        "shipping_addresses": shipping_addresses,
        "shipments": client.order_shipments(order_id) if _count(order, "items_shipped") else [],
        "transactions": client.order_transactions(order_id) if order.get("payment_status") else [],
        "refunds": refunds,
    }
    snapshot = load_snapshot(payload)
    if not shows_taxes(snapshot):
        return snapshot
    coupons = client.order_coupons(order_id) if _amount(order, "coupon_discount") else []
    return load_snapshot({**payload, "taxes": client.order_taxes(order_id), "coupons": coupons})


def load_snapshot(payload: dict[str, Any]) -> OrderSnapshot:
    """Validate API payloads into a snapshot; a refusal is permanent (the data is wrong)."""
    try:
        return OrderSnapshot.load(payload)
    except ValidationError as exc:
        order = payload.get("order") or {}
        raise InvalidSnapshot(
            f"order {order.get('id')} of {payload.get('store_hash')}: {exc.normalized_messages()}"
        ) from exc


def _pages(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive runs of `size` rows: with `limit=size` each run is one listed page, and
    the next page is only requested once the previous one was handed out."""
    page: list[dict[str, Any]] = []
    for row in rows:
        page.append(row)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def _count(order: dict[str, Any], name: str) -> int:
    """A v2 counter; an unreadable one counts as "some", like `_amount`, so the schema
    refuses the order naming the field (a bare ValueError here named nothing, and took
    reconciliation down with it)."""
    try:
        return int(order.get(name) or 0)
    except (TypeError, ValueError):
        return 1


def _amount(order: dict[str, Any], name: str) -> Decimal:
    """A v2 money string; an unparseable one counts as "some", so the part is fetched."""
    try:
        return Decimal(str(order.get(name) or 0))
    except InvalidOperation:
        return Decimal(1)
