"""Identifiers → the products and variants a recall covers, through the catalog API.

What the API offers (products_catalog.v3.yml and product-variants_catalog.v3.yml,
bigcommerce/docs 24f580c; reference §6): products filter by `sku` (the base SKU only),
`sku:in`, `upc` and `mpn`; `GET /v3/catalog/variants` by `id`, the variant `sku`, `upc`
and `product_id:in`. Neither has a `gtin` filter, and variants have no `mpn` filter, so
GTINs and MPNs are matched by reading the catalog once (products with `include_fields`,
then variants, 250 a page) when the recall names any; a 12-digit GTIN (or a longer one
padded with zeros) is also a UPC, and matches a product's or variant's `upc`. Lots are
not a catalog field: they are kept on the recall, not resolved.

A product matched by its own identifier is recalled whole (`variant_id` 0: every
variant); a variant matched by its own is recalled alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.index.recalls import PRODUCT_ITSELF, Identifiers, RecalledItem
from pipeline.integrations.bigcommerce.client import BigCommerceClient

PAGE = 250
SKU_BATCH = 50  # SKUs per `sku:in` call: a URL stays well below server limits
PRODUCT_FIELDS = "sku,upc,gtin,mpn"


def _gtin_key(value: str) -> str:
    """A GTIN compared without its leading zeros: GTIN-12 `0123…` is GTIN-13 `00123…`."""
    return value.strip().lstrip("0")


def _product_item(product: dict[str, Any], matched_by: str) -> RecalledItem:
    return RecalledItem(int(product["id"]), PRODUCT_ITSELF, str(product.get("sku", "")), matched_by)


def _variant_item(variant: dict[str, Any], matched_by: str) -> RecalledItem:
    return RecalledItem(
        int(variant["product_id"]), int(variant["id"]), str(variant.get("sku", "")), matched_by
    )


def _by_sku(client: BigCommerceClient, skus: tuple[str, ...]) -> Iterator[RecalledItem]:
    for start in range(0, len(skus), SKU_BATCH):
        batch = ",".join(skus[start : start + SKU_BATCH])
        params = {"sku:in": batch, "include_fields": PRODUCT_FIELDS, "limit": PAGE}
        for product in client.iter_v3("/catalog/products", params):
            yield _product_item(product, "sku")
    for sku in skus:
        for variant in client.iter_v3("/catalog/variants", {"sku": sku, "limit": PAGE}):
            yield _variant_item(variant, "sku")


def _match(row: dict[str, Any], gtins: set[str], mpns: set[str]) -> str | None:
    if _gtin_key(str(row.get("gtin") or "")) in gtins:
        return "gtin"
    if _gtin_key(str(row.get("upc") or "")) in gtins:
        return "upc"
    if str(row.get("mpn") or "").strip() in mpns:
        return "mpn"
    return None


def _by_reading(
    client: BigCommerceClient, gtins: set[str], mpns: set[str]
) -> Iterator[RecalledItem]:
    params = {"include_fields": PRODUCT_FIELDS, "limit": PAGE}
    for product in client.iter_v3("/catalog/products", params):
        matched = _match(product, gtins, mpns)
        if matched:
            yield _product_item(product, matched)
    for variant in client.iter_v3("/catalog/variants", {"limit": PAGE}):
        matched = _match(variant, gtins, mpns)
        if matched:
            yield _variant_item(variant, matched)


def resolve(client: BigCommerceClient, identifiers: Identifiers) -> list[RecalledItem]:
    """Every product and variant the identifiers name, once each (the first identifier
    that matched it is recorded), sorted."""
    found: dict[tuple[int, int], RecalledItem] = {}
    gtins = {_gtin_key(g) for g in identifiers.gtins if g.strip()}
    mpns = {m.strip() for m in identifiers.mpns if m.strip()}
    items = list(_by_sku(client, identifiers.skus))
    if gtins or mpns:
        items += _by_reading(client, gtins, mpns)
    for item in items:
        found.setdefault((item.product_id, item.variant_id), item)
    return [found[key] for key in sorted(found)]
