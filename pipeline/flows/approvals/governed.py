"""What flow 3's watch reads: the governed fields of a store's catalog and promotions as
BigCommerce shows them now (issue 15 §6), one `Observation` per target, named as change
requests name their targets (`product/12`, `product/12/variant/40`, `promotion/7`).

- Products: `GET /v3/catalog/products?date_modified:min=<ISO 8601>&include=variants&
  sort=date_modified&direction=asc` (reference bigcommerce-api.md §6: the filter takes ISO
  8601, `include=variants` embeds each product's variants, `limit` up to 250); a product's
  price, sale price, visibility and availability, each variant's price, sale price and
  purchasing switch. Without `since`, the whole catalog.
- BigCommerce documents no `date_modified` on variants, nor whether a variant write moves
  its product's (products_catalog.v3.yml, product-variants_catalog.v3.yml are silent; the
  emulator moves it): the watch reads the whole catalog again every `FULL_SWEEP`
  (`watch`), so a variant changed without its product's date moving is seen by then.
- Promotions: `GET /v3/promotions` (§7.1) has no date filter and no webhooks, so each look
  lists them all: their rules and status. Where the campaigns flow runs, its look at the
  promotions reads them for both flows and hands these observations over (one reader of
  the endpoint, `campaigns.look`), and the watch reads the catalog only. A promotion
  turns DISABLED by itself once its `max_uses` is reached or its `end_date` passed
  (DOC-PROMO): that is no one's change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.flows.approvals.change_request import canonical
from pipeline.integrations.bigcommerce.client import BigCommerceClient

PRODUCT_FIELDS = ("price", "sale_price", "is_visible", "availability")
VARIANT_FIELDS = ("price", "sale_price", "purchasing_disabled")
PROMOTION_FIELDS = ("rules", "status")
WATCHED_FIELDS = tuple(dict.fromkeys((*PRODUCT_FIELDS, *VARIANT_FIELDS, *PROMOTION_FIELDS)))
PRICE_FIELDS = frozenset({"price", "sale_price"})


@dataclass(frozen=True)
class Observation:
    """A target's governed fields as read now (canonical JSON values); `modified` is the
    product's `date_modified` (none for promotions); `lapsed` says a promotion's end date
    or use limit disables it on its own."""

    target: str
    fields: dict[str, Any]
    modified: str = ""
    lapsed: bool = False


def _watched(row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return dict(canonical({name: row.get(name) for name in names}))


def read_catalog(client: BigCommerceClient, since: datetime | None) -> list[Observation]:
    """Every product modified since `since` (the whole catalog for None), and its variants."""
    params: dict[str, Any] = {"include": "variants", "sort": "date_modified", "direction": "asc"}
    if since is not None:
        params["date_modified:min"] = since.isoformat(timespec="seconds")
    found = []
    for product in client.iter_v3("/catalog/products", params):
        target, modified = f"product/{product['id']}", str(product.get("date_modified") or "")
        found.append(Observation(target, _watched(product, PRODUCT_FIELDS), modified))
        for variant in product.get("variants") or ():
            found.append(
                Observation(
                    f"{target}/variant/{variant['id']}",
                    _watched(variant, VARIANT_FIELDS),
                    modified,
                )
            )
    return found


def _lapsed(promotion: dict[str, Any], now: datetime) -> bool:
    limit, used = promotion.get("max_uses"), promotion.get("current_uses") or 0
    end = promotion.get("end_date")
    return bool(limit and int(used) >= int(limit)) or bool(
        end and datetime.fromisoformat(str(end)) <= now
    )


def promotion_observation(row: dict[str, Any], now: datetime) -> Observation:
    """A promotion's governed fields, from its row as `GET /v3/promotions` lists it."""
    return Observation(
        f"promotion/{row['id']}", _watched(row, PROMOTION_FIELDS), lapsed=_lapsed(row, now)
    )


def read_promotions(client: BigCommerceClient, now: datetime) -> list[Observation]:
    """Every promotion of the store."""
    return [promotion_observation(row, now) for row in client.iter_v3("/promotions")]


def change_type(target: str, field: str, value: Any) -> str:
    """The change type a change to `field` is (which `approvals.toml` entry governs it):
    a price is `product_price`; visibility, availability or a variant's purchasing switch
    is a `product_takedown` when it withdraws the product, else a `product_launch`."""
    if target.startswith("promotion/"):
        return "promotion"
    if field in PRICE_FIELDS:
        return "product_price"
    withdrawn = (
        (field == "is_visible" and value is False)
        or (field == "availability" and value == "disabled")
        or (field == "purchasing_disabled" and value is True)
    )
    return "product_takedown" if withdrawn else "product_launch"


def by_change_type(
    target: str, fields: Iterable[str], values: dict[str, Any]
) -> Iterator[tuple[str, list[str]]]:
    """`fields` grouped by their change type, in a fixed order."""
    groups: dict[str, list[str]] = {}
    for name in fields:
        groups.setdefault(change_type(target, name, values[name]), []).append(name)
    for kind in sorted(groups):
        yield kind, sorted(groups[kind])


def subject_of(target: str) -> tuple[str, str]:
    """(`product`, `12`) for a product or its variant, (`promotion`, `7`)."""
    kind, ident = target.split("/")[:2]
    return kind, ident
