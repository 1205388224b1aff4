"""Seeded promotions (automatic and coupon, every status, dated and open-ended) and v2
coupons, including the promotion-backed coupons v2 shows with `type=promotion`."""

from __future__ import annotations

import random
from typing import Any

from .formats import iso8601
from .state import Store

DAY = 86400


def cart_value_rule(
    percentage: int | None = None, fixed: str | None = None, minimum_spend: str | None = None
) -> dict[str, Any]:
    discount = {"percentage_amount": str(percentage)} if percentage else {"fixed_amount": fixed}
    rule: dict[str, Any] = {
        "action": {"cart_value": {"discount": discount}},
        "apply_once": True,
        "stop": False,
    }
    if minimum_spend:
        rule["condition"] = {"cart": {"minimum_spend": minimum_spend}}
    return rule


def promotion(
    pid: int,
    name: str,
    *,
    redemption_type: str = "AUTOMATIC",
    status: str = "ENABLED",
    start: int,
    end: int | None,
    rules: list[dict[str, Any]],
    max_uses: int | None = None,
    current_uses: int = 0,
    currency_code: str = "*",
) -> dict[str, Any]:
    """A promotion in the v3 wire shape; COUPON promotions get the coupon-only fields."""
    body: dict[str, Any] = {
        "id": pid,
        "redemption_type": redemption_type,
        "name": name,
        "display_name": name,
        "channels": [],
        "customer": {
            "group_ids": [],
            "excluded_group_ids": [],
            "minimum_order_count": 0,
            "segments": {"id": []},
        },
        "rules": rules,
        "current_uses": current_uses,
        "max_uses": max_uses,
        "status": status,
        "start_date": iso8601(start),
        "end_date": iso8601(end),
        "stop": False,
        "can_be_used_with_other_promotions": True,
        "currency_code": currency_code,
        "notifications": [],
        "shipping_address": None,
        "schedule": None,
        "created_from": "api",
    }
    if redemption_type == "COUPON":
        body.update(
            {
                "coupon_type": "SINGLE",
                "multiple_codes": False,
                "coupon_overrides_automatic_when_offering_higher_discounts": False,
            }
        )
    return body


def seed_marketing(store: Store, rng: random.Random, seed_end: int) -> None:
    specs = [
        ("10% off orders over $100", "AUTOMATIC", "ENABLED", -400, None, 10, None, "100.00"),
        ("Summer Sale 2025", "AUTOMATIC", "ENABLED", -200, -120, 20, None, None),
        ("Black Friday", "COUPON", "ENABLED", -40, -35, 30, None, None),
        ("Welcome discount", "COUPON", "ENABLED", -600, None, None, "5.00", None),
        ("Staff only", "COUPON", "DISABLED", -300, None, 50, None, None),
        ("Free shipping DE/FR", "AUTOMATIC", "ENABLED", -100, None, None, "0.00", "50.00"),
        ("Recursive gift rule", "AUTOMATIC", "INVALID", -90, None, 15, None, None),
        ("Spring launch (scheduled)", "AUTOMATIC", "ENABLED", 60, 120, 15, None, None),
        ("Influencer codes", "COUPON", "ENABLED", -150, None, 12, None, None),
        ("€5 Rabatt", "COUPON", "ENABLED", -30, None, None, "5.00", None),
    ]
    for name, rtype, status, start, end, pct, fixed, minimum in specs:
        pid = store.next_id("promotion")
        max_uses = 1000 if rtype == "COUPON" else None
        store.promotions[pid] = promotion(
            pid,
            name,
            redemption_type=rtype,
            status=status,
            start=seed_end + start * DAY,
            end=None if end is None else seed_end + end * DAY,
            rules=[cart_value_rule(pct, fixed, minimum)],
            max_uses=max_uses,
            current_uses=rng.randrange(0, 400),
            currency_code="EUR" if "€" in name else "*",
        )
        if rtype == "COUPON":
            bulk = name == "Influencer codes"
            store.promotions[pid].update(
                {"coupon_type": "BULK" if bulk else "SINGLE", "multiple_codes": bulk}
            )
            count = 120 if bulk else 1
            store.promotion_codes[pid] = [
                {
                    "id": store.next_id("promotion_code"),
                    "code": f"INFL-{n:04d}"
                    if bulk
                    else name.upper().replace(" ", "")[:12].encode("ascii", "ignore").decode()
                    or f"PROMO{pid}",
                    "current_uses": rng.randrange(0, 5),
                    "max_uses": 0 if bulk else 1000,
                    "max_uses_per_customer": 1,
                    "created": iso8601(seed_end + start * DAY),
                }
                for n in range(count)
            ]
    coupon_specs = [
        ("WELCOME10", "Welcome 10%", "percentage_discount", 1000, "0.0000"),
        ("FREESHIP", "Free shipping", "free_shipping", 0, "50.0000"),
        ("SAVE5", "$5 off", "per_total_discount", 500, "25.0000"),
        ("SHIRT2", "$2 off shirts", "per_item_discount", 200, "0.0000"),
        ("SHIPHALF", "Half shipping", "shipping_discount", 400, "0.0000"),
        ("BLACKFRIDAY", "Black Friday", "promotion", 0, "0.0000"),
    ]
    for code, name, ctype, amount, min_purchase in coupon_specs:
        cid = store.next_id("coupon")
        store.coupons[cid] = {
            "id": cid,
            "name": name,
            "type": ctype,
            "amount": f"{amount / 100:.4f}",
            "min_purchase": min_purchase,
            "expires": "",
            "enabled": code != "SHIPHALF",
            "code": code,
            "applies_to": {"entity": "categories", "ids": [0]},
            "num_uses": rng.randrange(0, 900),
            "max_uses": 0,
            "max_uses_per_customer": 0,
            "restricted_to": {},
            "shipping_methods": [],
            "date_created": seed_end - rng.randrange(100, 700) * DAY,
        }
