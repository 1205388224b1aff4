"""Is an open recall's product still off sale? The storefront state of its items, read
from BigCommerce now, and what bcrm remembers of items found on sale after their
takedown ended (put back on sale in the control panel, or never taken down).

One listing call per 250 products (`GET /v3/catalog/products?id:in=...&include=
variants`, reference bigcommerce-api.md §6: `id:in`, `include=variants`, `limit` up to
250), so a recall of many products costs the store's quota little every poll interval:
each product's availability and visibility, each variant's purchasing switch and
message. An item is *on sale* when a shopper can buy it: the product's `availability`
is `available` or `preorder`, and for a variant its `purchasing_disabled` is false too.
Visibility alone does not decide it (the reference does not say that a hidden product
cannot be bought, which is why the takedown disables it as well); the state shows it.

`recheck` runs with every look that owes takedowns (`bcrm.control.recall_takedowns`):
it reads the items whose takedown ended (the publish unit finished: published, adopted
or refused) and keeps the ones on sale in Redis per store, which `bcrm status` shows as
attention lines (on sale again after a verified takedown: someone re-enabled it; still
on sale: its takedown was refused) and `bcrm metrics` counts
(`bcrm_recalled_items_found_on_sale_total`, per recall: each time an item is found on
sale that was not the look before). A closed recall's items drop out at the next look.
The weekly status report of a recall calls `storefront_state` itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.contract import StoreCounter
from pipeline.core.redis_values import field_map, text
from pipeline.flows.recalls.takedown import takedown_key, target_of_item
from pipeline.index.recalls import OPEN, PRODUCT_ITSELF, Recall, RecalledItem, Recalls
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import services
from pipeline.runtime.log import log_event

ON_SALE_AVAILABILITY = frozenset({"available", "preorder"})
TAKEN_DOWN = frozenset({"published", "adopted"})
IDS_PER_CALL = 250  # a page's worth: one call each, and a short URL
COUNTER = "bcrm_recalled_items_found_on_sale_total"


@dataclass(frozen=True)
class ItemState:
    """One recalled item as the store shows it at `checked_at` (`exists` false: the
    product or variant is gone, so not on sale)."""

    recall_id: str
    target: str
    sku: str
    exists: bool
    on_sale: bool
    availability: str | None
    is_visible: bool | None
    purchasing_disabled: bool | None
    purchasing_disabled_message: str | None
    checked_at: str


def _state(recall: Recall, item: RecalledItem, product: dict[str, Any] | None) -> ItemState:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    target = target_of_item(item)
    gone = ItemState(recall.recall_id, target, item.sku, False, False, None, None, None, None, now)
    if product is None:
        return gone
    availability, visible = product.get("availability"), product.get("is_visible")
    buyable = availability in ON_SALE_AVAILABILITY
    if item.variant_id == PRODUCT_ITSELF:
        return ItemState(
            recall.recall_id, target, item.sku, True, buyable, availability, visible,
            None, None, now,
        )  # fmt: skip
    variant = next((v for v in product.get("variants") or () if v["id"] == item.variant_id), None)
    if variant is None:
        return gone
    disabled = bool(variant.get("purchasing_disabled"))
    return ItemState(
        recall.recall_id, target, item.sku, True, buyable and not disabled, availability,
        visible, disabled, variant.get("purchasing_disabled_message"), now,
    )  # fmt: skip


def storefront_state(
    client: BigCommerceClient, recall: Recall, items: Iterable[RecalledItem]
) -> list[ItemState]:
    """The storefront state of `items` now, in their order; one listing call per
    `IDS_PER_CALL` products (a product the listing does not return is gone)."""
    wanted = list(items)
    ids = sorted({item.product_id for item in wanted})
    products: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ",".join(str(i) for i in ids[start : start + IDS_PER_CALL])
        for product in client.iter_v3("/catalog/products", {"id:in": chunk, "include": "variants"}):
            products[int(product["id"])] = product
    return [_state(recall, item, products.get(item.product_id)) for item in wanted]


@dataclass(frozen=True)
class OnSale:
    """An item of an open recall found on sale after its takedown ended: `published` or
    `adopted` (so it was off sale, and someone put it back), or `refused` (`reason`: it
    never went off sale)."""

    state: ItemState
    takedown: str
    reason: str

    @property
    def field(self) -> str:
        return f"{self.state.recall_id}|{self.state.target}"

    @property
    def again(self) -> bool:
        return self.takedown in TAKEN_DOWN


def _finished(recall: Recall, items: list[RecalledItem]) -> dict[int, dict[str, Any]]:
    """By position in `items`, the stage's result of each takedown that ended."""
    keys_ = [takedown_key(recall, item) for item in items]
    done = [unit.get("done:publish") for unit in services.ledger().get_many(keys_)]
    return {n: json.loads(result) for n, result in enumerate(done) if result is not None}


def recheck(
    client: BigCommerceClient, recalls: Recalls, db: redis.Redis, store_hash: str
) -> list[OnSale]:
    """Re-verify every item of the store's open recalls whose takedown ended; the ones on
    sale (also kept for `bcrm status`, see the module docstring)."""
    on_sale: list[OnSale] = []
    for recall in recalls.listed(store_hash, decision=OPEN):
        items = recalls.items(store_hash, recall.recall_id)
        ended = _finished(recall, items)
        states = storefront_state(client, recall, [items[n] for n in ended])
        on_sale += [
            OnSale(state, str(result.get("result")), str(result.get("reason", "")))
            for state, result in zip(states, ended.values(), strict=True)
            if state.on_sale
        ]
    key = keys.recall_items_on_sale(store_hash)
    before = {text(field) for field in db.hkeys(key)}
    fields = {found.field: json.dumps(asdict(found)) for found in on_sale}
    with db.pipeline() as pipe:
        pipe.delete(key)
        if fields:
            pipe.hset(key, mapping=field_map(fields))
        for field in sorted(set(fields) - before):
            pipe.hincrby(keys.metrics_recalled_on_sale(store_hash), field.split("|")[0], 1)
        pipe.execute()
    for found in on_sale:
        if found.field not in before:
            log_event(
                "recall.on_sale",
                logging.WARNING,
                store_hash=store_hash,
                recall_id=found.state.recall_id,
                target=found.state.target,
                takedown=found.takedown,
            )
    return on_sale


def found_on_sale(db: redis.Redis, store_hash: str) -> list[OnSale]:
    """The items the last look found on sale, by recall and target."""
    rows = [json.loads(value) for value in db.hvals(keys.recall_items_on_sale(store_hash))]
    found = [OnSale(ItemState(**row["state"]), row["takedown"], row["reason"]) for row in rows]
    return sorted(found, key=lambda f: f.field)


def attention(db: redis.Redis, store_hash: str) -> list[str]:
    """`bcrm status`'s lines when items of an open recall are on sale: put back on sale
    after their takedown, or never taken down (the takedown was refused)."""
    found = found_on_sale(db, store_hash)
    lines = []
    again = [f for f in found if f.again]
    if again:
        recalls = ", ".join(sorted({f.state.recall_id for f in again}))
        lines.append(
            f"{len(again)} recalled item(s) on sale again while recall {recalls} is open "
            f"(first: {again[0].state.target}): someone re-enabled them in BigCommerce; take "
            "them off sale again and find out who (the recall gate refuses re-enabling changes)"
        )
    refused = [f for f in found if not f.again]
    if refused:
        first = refused[0]
        lines.append(
            f"{len(refused)} recalled item(s) still on sale: their takedown was refused "
            f"(first: {first.state.target} of recall {first.state.recall_id}: {first.reason}); "
            "read the refusal record in its change request, then put the cause right (a "
            "decision by someone other than the recall's opener owes a new takedown) or take "
            "them off sale by hand"
        )
    return lines


def counter(db: redis.Redis, store_hash: str) -> StoreCounter:
    """How often an item of each recall was found on sale again, per store and recall."""
    counts = db.hgetall(keys.metrics_recalled_on_sale(store_hash))
    return StoreCounter(
        COUNTER,
        "Items of an open recall found on sale after their takedown ended (put back on "
        "sale, or the takedown refused), per store and recall.",
        "recall",
        {text(recall): float(count) for recall, count in counts.items()},
    )
