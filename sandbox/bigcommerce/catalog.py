"""Catalog v3: products (filters, include, sort, partial and batch PUT, create, delete) and
variants (per product and store-wide, by SKU, update)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .envelopes import Query, json_response, no_content, read_json, v3_list, v3_object
from .errors import ApiError, Dialect
from .filters import Kind, public, sort_rows, v3_filter
from .formats import iso8601
from .price_log import API, note_change
from .products import add_variant, blank_product
from .routing import Route, RouteGroup, int_arg, store_of
from .state import Store

CATALOG = RouteGroup("catalog", Dialect.V3, ("store_v2_products",))
PRODUCT_FILTERS: dict[str, Kind] = {
    "id": "int",
    "name": "str",
    "sku": "str",
    "upc": "str",
    "mpn": "str",
    "price": "num",
    "weight": "num",
    "condition": "str",
    "brand_id": "int",
    "categories": "int",
    "date_modified": "date",
    "is_visible": "bool",
    "is_featured": "bool",
    "is_free_shipping": "bool",
    "inventory_level": "int",
    "total_sold": "int",
    "type": "str",
    "availability": "str",
}
# The operators each filter takes, as products_catalog.v3.yml lists its parameters
# (bigcommerce/docs 24f580c, `GET /catalog/products`): `sku` and `sku:in`, `upc` and
# `mpn` plain only, and no `gtin` filter at all (a GTIN is matched by reading the field).
PLAIN = frozenset({""})
RANGE = frozenset({"", "in", "not_in", "min", "max", "greater", "less"})
PRODUCT_OPERATORS: dict[str, frozenset[str]] = {
    **{name: PLAIN for name in PRODUCT_FILTERS},
    "id": RANGE,
    "inventory_level": RANGE,
    "sku": frozenset({"", "in"}),
    "categories": frozenset({"", "in"}),
    "date_modified": frozenset({"", "min", "max"}),
}
# product-variants_catalog.v3.yml, `GET /catalog/variants`: `id`, `sku` (the variant's
# SKU), `upc`, `product_id:in`; no `mpn` or `gtin` filter.
VARIANT_FILTERS: dict[str, Kind] = {"id": "int", "sku": "str", "upc": "str", "product_id": "int"}
VARIANT_OPERATORS: dict[str, frozenset[str]] = {
    "id": PLAIN,
    "sku": PLAIN,
    "upc": PLAIN,
    "product_id": frozenset({"in"}),
}
PRODUCT_SORTS = {
    "id",
    "name",
    "sku",
    "price",
    "date_modified",
    "inventory_level",
    "is_visible",
    "total_sold",
    "calculated_price",
}
READ_ONLY = {"id", "date_created", "date_modified", "calculated_price", "base_variant_id"}
ENUMS = {
    "type": {"physical", "digital"},
    "availability": {"available", "disabled", "preorder"},
    "inventory_tracking": {"none", "product", "variant"},
    "condition": {"New", "Used", "Refurbished"},
}
MONEY = (
    "price",
    "cost_price",
    "retail_price",
    "sale_price",
    "map_price",
    "weight",
    "width",
    "depth",
    "height",
)
BOOLS = ("is_visible", "is_featured", "is_free_shipping")
KNOWN_BRANDS = {35, 36, 37}
VARIANT_WRITABLE = {
    "sku",
    "price",
    "sale_price",
    "retail_price",
    "cost_price",
    "inventory_level",
    "inventory_warning_level",
    "purchasing_disabled",
    "purchasing_disabled_message",
    "upc",
    "gtin",
    "mpn",
    "image_url",
}
MAX_BATCH = 10
# productVariant_Base: `purchasing_disabled` boolean, `purchasing_disabled_message`
# maxLength 255 (product-variants_catalog.v3.yml, bigcommerce/docs 24f580c).
MESSAGE_MAX = 255
MAX_VARIANT_BATCH = 50


def render_product(store: Store, p: dict[str, Any], q: Query) -> dict[str, Any]:
    body = public(p)
    includes = q.includes()
    if "variants" in includes:
        body["variants"] = [store.variants[v] for v in p["_variant_ids"]]
    for extra in (
        "images",
        "custom_fields",
        "bulk_pricing_rules",
        "videos",
        "modifiers",
        "options",
    ):
        if extra in includes:
            body[extra] = []
    only = q.strs("include_fields")
    if only:
        body = {k: v for k, v in body.items() if k in only or k == "id" or k in includes}
    for name in q.strs("exclude_fields") or ():
        if name != "id":
            body.pop(name, None)
    return body


def get_product(store: Store, product_id: int) -> dict[str, Any]:
    product = store.products.get(product_id)
    if product is None:
        raise ApiError(404, f"Product {product_id} does not exist.")
    return product


async def list_products(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    rows = list(store.products.values())
    rows = v3_filter(q, PRODUCT_FILTERS, rows, PRODUCT_OPERATORS)
    keyword = q.get("keyword")
    if keyword:
        rows = [r for r in rows if keyword.lower() in f"{r['name']} {r['sku']}".lower()]
    rows = sort_rows(rows, q.get("sort"), q.get("direction"), PRODUCT_SORTS)
    return v3_list(request, rows, lambda p: render_product(store, p, q))


async def one_product(request: web.Request) -> web.Response:
    store = store_of(request)
    product = get_product(store, int_arg(request, "product_id"))
    return v3_object(render_product(store, product, Query(request)))


def validated(store: Store, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The product after `changes`, or a 422 (bad value) / 409 (duplicate, missing brand)."""
    errors: dict[str, str] = {}
    fields = {k: v for k, v in changes.items() if k not in READ_ONLY and k in current}
    name = fields.get("name", current["name"])
    if not isinstance(name, str) or not 1 <= len(name) <= 250:
        errors["name"] = "Product name must be 1 to 250 characters."
    for key in MONEY:
        value = fields.get(key)
        if key in fields and (
            not isinstance(value, int | float) or isinstance(value, bool) or value < 0
        ):
            errors[key] = f"{key} must be a non-negative number."
    for key in BOOLS:
        if key in fields and not isinstance(fields[key], bool):
            errors[key] = f"{key} must be a boolean."
    for key, allowed in ENUMS.items():
        if key in fields and fields[key] not in allowed:
            errors[key] = f"{key} must be one of {sorted(allowed)}."
    if errors:
        raise ApiError(422, "The request data is invalid.", errors=errors)
    for other in store.products.values():
        if other["id"] == current["id"]:
            continue
        if other["name"] == name:
            raise ApiError(
                409, f"The product name is a duplicate: {name}", errors={"name": "duplicate"}
            )
        if "sku" in fields and fields["sku"] and other["sku"] == fields["sku"]:
            raise ApiError(
                409, f"The product SKU is a duplicate: {fields['sku']}", errors={"sku": "duplicate"}
            )
    if "brand_id" in fields and fields["brand_id"] not in KNOWN_BRANDS | {0}:
        raise ApiError(
            409, f"Brand {fields['brand_id']} does not exist.", errors={"brand_id": "not found"}
        )
    product = {**current, **fields}
    sale = product["sale_price"]
    product["calculated_price"] = sale if sale else product["price"]
    return product


def commit_product(
    store: Store, product: dict[str, Any], event: str = "updated", source: str = API
) -> dict[str, Any]:
    """Store a validated product; variants without their own price follow it. A price
    change goes into the store's price log (`price_log`) with its `source`."""
    product["date_modified"] = iso8601(store.now())
    before = store.products.get(product["id"])
    if before is not product:
        note_change(store, before, product, variant_id=None, source=source)
    store.products[product["id"]] = product
    for vid in product["_variant_ids"]:
        variant = store.variants[vid]
        if variant["price"] is None:
            variant["calculated_price"] = product["calculated_price"]
    store.emit(f"store/product/{event}", {"type": "product", "id": product["id"]})
    return product


async def update_product(request: web.Request) -> web.Response:
    store, q = store_of(request), Query(request)
    current = get_product(store, int_arg(request, "product_id"))
    product = commit_product(store, validated(store, current, await read_json(request)))
    return v3_object(render_product(store, product, q))


async def batch_update(request: web.Request) -> web.Response:
    """At most 10 per call (413 above); some failing gives 207 with `errors`."""
    store, q = store_of(request), Query(request)
    body = await read_json(request, expect=list)
    if len(body) > MAX_BATCH:
        raise ApiError(
            413,
            "The request payload is too large. The maximum items allowed in "
            f"the array is {MAX_BATCH}.",
            errors={},
        )
    done, errors = [], []
    for entry in body:
        try:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                raise ApiError(422, "Each product needs an integer id.", errors={"id": "missing"})
            product = validated(store, get_product(store, entry["id"]), entry)
            done.append(render_product(store, commit_product(store, product), q))
        except ApiError as err:
            errors.append(
                {
                    "id": entry.get("id") if isinstance(entry, dict) else None,
                    "status": err.status,
                    "title": err.title,
                    "errors": err.errors or {},
                }
            )
    if errors and not done:
        first = errors[0]
        raise ApiError(first["status"], first["title"], errors=first["errors"])
    meta = {"total": len(body), "success": len(done), "failed": len(errors)}
    if errors:
        return json_response({"data": done, "errors": errors, "meta": meta}, status=207)
    return json_response({"data": done, "meta": meta})


async def create_product(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await read_json(request)
    if not body.get("name") or "price" not in body or "type" not in body:
        raise ApiError(
            422,
            "Missing Required Fields",
            errors={
                k: f"Please provide a {k}." for k in ("name", "price", "type") if k not in body
            },
        )
    pid = store.next_id("product")
    product = validated(store, blank_product(pid, iso8601(store.now())), body)
    product["sku"] = product["sku"] or f"SKU-{product['id']}"
    store.products[product["id"]] = product
    note_change(store, None, product, variant_id=None, source=API)
    variant = add_variant(store, product, [])
    product["base_variant_id"] = variant["id"]
    commit_product(store, product, "created")
    store.emit("store/sku/created", _sku_event(variant))
    return v3_object(render_product(store, product, Query(request)))


def _sku_event(variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "sku",
        "id": variant["sku_id"],
        "sku": {"product_id": variant["product_id"], "variant_id": variant["id"]},
    }


async def delete_product(request: web.Request) -> web.Response:
    store = store_of(request)
    product = get_product(store, int_arg(request, "product_id"))
    for vid in product["_variant_ids"]:
        store.emit("store/sku/deleted", _sku_event(store.variants.pop(vid)))
    del store.products[product["id"]]
    store.emit("store/product/deleted", {"type": "product", "id": product["id"]})
    return no_content()


async def product_variants(request: web.Request) -> web.Response:
    store = store_of(request)
    product = get_product(store, int_arg(request, "product_id"))
    rows = [store.variants[v] for v in product["_variant_ids"]]
    return v3_list(
        request, v3_filter(Query(request), VARIANT_FILTERS, rows, VARIANT_OPERATORS), dict
    )


def variant_of(request: web.Request) -> dict[str, Any]:
    store = store_of(request)
    product = get_product(store, int_arg(request, "product_id"))
    variant = store.variants.get(int_arg(request, "variant_id"))
    if variant is None or variant["product_id"] != product["id"]:
        raise ApiError(404, "The variant does not exist on this product.")
    return variant


async def one_variant(request: web.Request) -> web.Response:
    return v3_object(variant_of(request))


def update_variant_fields(
    store: Store, variant: dict[str, Any], body: dict[str, Any], source: str = API
) -> dict[str, Any]:
    """Validate and apply a variant change; a SKU must stay unique store-wide. A price
    change goes into the store's price log with its `source`."""
    fields = {k: v for k, v in body.items() if k in VARIANT_WRITABLE}
    for key in ("price", "sale_price", "retail_price", "cost_price"):
        value = fields.get(key)
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise ApiError(
                422,
                "The request data is invalid.",
                errors={key: "must be a non-negative number or null"},
            )
    if "purchasing_disabled" in fields and not isinstance(fields["purchasing_disabled"], bool):
        raise ApiError(
            422, "The request data is invalid.", errors={"purchasing_disabled": "must be a boolean"}
        )
    message = fields.get("purchasing_disabled_message")
    if message is not None and (not isinstance(message, str) or len(message) > MESSAGE_MAX):
        raise ApiError(
            422,
            "The request data is invalid.",
            errors={"purchasing_disabled_message": f"must be a string of at most {MESSAGE_MAX}"},
        )
    sku = fields.get("sku")
    if sku is not None and any(
        v["sku"] == sku and v["id"] != variant["id"] for v in store.variants.values()
    ):
        raise ApiError(409, f"The SKU is a duplicate: {sku}", errors={"sku": "duplicate"})
    before = dict(variant)
    variant.update(fields)
    note_change(store, before, variant, variant_id=variant["id"], source=source)
    product = store.products[variant["product_id"]]
    variant["calculated_price"] = (
        variant["sale_price"] or variant["price"] or product["calculated_price"]
    )
    product["date_modified"] = iso8601(store.now())
    store.emit("store/sku/updated", _sku_event(variant))
    return variant


async def update_variant(request: web.Request) -> web.Response:
    store = store_of(request)
    variant = variant_of(request)
    return v3_object(update_variant_fields(store, variant, await read_json(request)))


async def create_variant(request: web.Request) -> web.Response:
    store = store_of(request)
    product = get_product(store, int_arg(request, "product_id"))
    body = await read_json(request)
    if not body.get("sku"):
        raise ApiError(422, "Missing Required Fields", errors={"sku": "Please provide a sku."})
    variant = add_variant(store, product, [])
    try:
        update_variant_fields(store, variant, body)
    except ApiError:
        product["_variant_ids"].remove(variant["id"])
        del store.variants[variant["id"]]
        raise
    store.emit("store/sku/created", _sku_event(variant))
    return v3_object(variant)


async def delete_variant(request: web.Request) -> web.Response:
    store = store_of(request)
    variant = variant_of(request)
    store.products[variant["product_id"]]["_variant_ids"].remove(variant["id"])
    del store.variants[variant["id"]]
    store.emit("store/sku/deleted", _sku_event(variant))
    return no_content()


async def list_variants(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = v3_filter(
        Query(request), VARIANT_FILTERS, list(store.variants.values()), VARIANT_OPERATORS
    )
    return v3_list(request, rows, dict)


async def batch_variants(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await read_json(request, expect=list)
    if len(body) > MAX_VARIANT_BATCH:
        raise ApiError(
            413,
            "The request payload is too large. The maximum items allowed in "
            f"the array is {MAX_VARIANT_BATCH}.",
            errors={},
        )
    updated = []
    for entry in body:
        variant = store.variants.get(entry.get("id") if isinstance(entry, dict) else None)
        if variant is None:
            raise ApiError(
                422, "Each variant needs the id of an existing variant.", errors={"id": "not found"}
            )
        updated.append(update_variant_fields(store, variant, entry))
    return v3_list(request, updated, dict)


PRODUCT = "/v3/catalog/products/{product_id}"
ROUTES: list[Route] = [
    CATALOG.get("/v3/catalog/products", list_products),
    CATALOG.post("/v3/catalog/products", create_product),
    CATALOG.put("/v3/catalog/products", batch_update),
    CATALOG.get(PRODUCT, one_product),
    CATALOG.put(PRODUCT, update_product),
    CATALOG.delete(PRODUCT, delete_product),
    CATALOG.get(f"{PRODUCT}/variants", product_variants),
    CATALOG.post(f"{PRODUCT}/variants", create_variant),
    CATALOG.get(f"{PRODUCT}/variants/{{variant_id}}", one_variant),
    CATALOG.put(f"{PRODUCT}/variants/{{variant_id}}", update_variant),
    CATALOG.delete(f"{PRODUCT}/variants/{{variant_id}}", delete_variant),
    CATALOG.get("/v3/catalog/variants", list_variants),
    CATALOG.put("/v3/catalog/variants", batch_variants),
]
