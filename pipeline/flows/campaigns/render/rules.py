"""A promotion rule in words, for the version record (reference bigcommerce-api.md §7.1:
an action `cart_value`, `cart_items`, `gift_item`, `fixed_price_set` or `shipping`, a
discount as `percentage_amount` or `fixed_amount` (money as strings), a condition on the
cart's items, minimum spend or quantity). What has no words here is shown as its JSON."""

from __future__ import annotations

import json
from typing import Any


def _discount(discount: Any) -> str:
    if not isinstance(discount, dict):
        return "a discount"
    if "percentage_amount" in discount:
        return f"{discount['percentage_amount']} % off"
    if "fixed_amount" in discount:
        return f"{discount['fixed_amount']} off"
    return json.dumps(discount, sort_keys=True)


def action_words(action: Any) -> str:
    if not isinstance(action, dict) or len(action) != 1:
        return json.dumps(action, sort_keys=True)
    [(name, body)] = action.items()
    body = body if isinstance(body, dict) else {}
    if name == "cart_value":
        cap = body.get("maximum_allowed_discount_amount")
        return f"{_discount(body.get('discount'))} the cart" + (f", at most {cap}" if cap else "")
    if name == "cart_items":
        return f"{_discount(body.get('discount'))} the matching items"
    if name == "shipping":
        return "free shipping" if body.get("free_shipping") else "a shipping discount"
    if name == "gift_item":
        return f"a gift item {json.dumps(body, sort_keys=True)}"
    return f"{name} {json.dumps(body, sort_keys=True)}"


def condition_words(condition: Any) -> str:
    if not condition:
        return "always"
    cart = condition.get("cart") if isinstance(condition, dict) else None
    if not isinstance(cart, dict):
        return json.dumps(condition, sort_keys=True)
    parts = []
    if "minimum_spend" in cart:
        parts.append(f"a cart of at least {cart['minimum_spend']}")
    if "minimum_quantity" in cart:
        parts.append(f"at least {cart['minimum_quantity']} items")
    if "items" in cart:
        parts.append(f"items {json.dumps(cart['items'], sort_keys=True)}")
    return ", ".join(parts) or json.dumps(cart, sort_keys=True)
