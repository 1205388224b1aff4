"""Product and variant records in the catalog v3 wire shape, shared by the seeder and the
create endpoints so both produce the same fields."""

from __future__ import annotations

from typing import Any

from .seed_data import OPTION_VALUES
from .state import Store


def blank_product(pid: int, now: str) -> dict[str, Any]:
    """Every field a v3 product has, at its default; `_variant_ids` is private."""
    return {
        "id": pid,
        "name": "",
        "type": "physical",
        "sku": "",
        "description": "",
        "weight": 0,
        "width": 0,
        "depth": 0,
        "height": 0,
        "price": 0,
        "cost_price": 0,
        "retail_price": 0,
        "sale_price": 0,
        "map_price": 0,
        "calculated_price": 0,
        "tax_class_id": 0,
        "categories": [],
        "brand_id": 0,
        "inventory_level": 0,
        "inventory_warning_level": 0,
        "inventory_tracking": "none",
        "is_visible": True,
        "is_featured": False,
        "is_free_shipping": False,
        "availability": "available",
        "availability_description": "",
        "condition": "New",
        "upc": "",
        "gtin": "",
        "mpn": "",
        "custom_url": {"url": f"/product-{pid}/", "is_customized": False},
        "base_variant_id": None,
        "date_created": now,
        "date_modified": now,
        "total_sold": 0,
        "_variant_ids": [],
    }


def option_id(option: str) -> int:
    return 100 + list(OPTION_VALUES).index(option)


def option_value_id(option: str, value: str) -> int:
    """Unique per option value across the store, as a real option value id is."""
    flat = [(o, v) for o, values in OPTION_VALUES.items() for v in values]
    return 60 + flat.index((option, value))


def product_option_id(product_id: int, option_id: int) -> int:
    """The option as applied to one product (v2 `product_option_id`)."""
    return product_id * 1000 + option_id


def add_variant(
    store: Store, product: dict[str, Any], combo: list[tuple[str, str]]
) -> dict[str, Any]:
    """A variant for one option combination; its SKU extends the product's base SKU."""
    vid = store.next_id("variant")
    suffix = "".join(f"-{value[:3].upper()}" for _, value in combo)
    variant = {
        "id": vid,
        "product_id": product["id"],
        "sku": product["sku"] + suffix,
        "sku_id": vid + 1000,
        "price": None,
        "sale_price": None,
        "retail_price": None,
        "cost_price": None,
        "calculated_price": product["calculated_price"],
        "inventory_level": product["inventory_level"] // max(1, len(combo) * 3),
        "inventory_warning_level": 2,
        "purchasing_disabled": False,
        "purchasing_disabled_message": "",
        "upc": "",
        "gtin": "",
        "mpn": "",
        "image_url": "",
        "option_values": [
            {
                "id": option_value_id(option, value),
                "label": value,
                "option_id": option_id(option),
                "option_display_name": option,
            }
            for option, value in combo
        ],
    }
    store.variants[vid] = variant
    product["_variant_ids"].append(vid)
    return variant
