"""A campaign's usage for its closeout (issue 17 item 6): the archived orders that used
its promotions or coupon codes, their count and discount total per currency, and the
final use counters BigCommerce shows.

Orders come from the archive index (`order_line_discounts`, written from each archived
order's lines' `applied_discounts`: orders.v2 `orderProductAppliedDiscounts`), so only
archived orders count: an order placed but not yet archived is not in a closeout, which
says when it was read. A promotion's line discount carries its id; a code's carries the
code (case-insensitive, as checkout takes it).

Final counters (reference §7): a promotion's `current_uses` (`GET /v3/promotions/{id}`);
a promotion code's `current_uses`, found by `GET /v3/promotions?code=` and read from the
promotion's codes (cursor pages, `after`, §3); a legacy coupon's `num_uses`
(`GET /v2/coupons?code=`). A promotion or code BigCommerce no longer has is reported
missing, not zero.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.index.discounts import LineDiscount, OrderDiscounts
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import NotFound
from schemas.snapshot import canonical_json

MISSING = None


@dataclass(frozen=True)
class OrderUse:
    """One archived order that used the campaign: its discount from the campaign's
    promotions and codes, and which of them."""

    order_id: int
    order_date: datetime
    currency: str
    discount_minor: int
    used: tuple[str, ...]


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    orders: int
    discount_minor: int


@dataclass(frozen=True)
class CampaignUsage:
    store_hash: str
    promotion_ids: tuple[str, ...]
    coupon_codes: tuple[str, ...]
    start: datetime
    end: datetime
    orders: tuple[OrderUse, ...]
    totals: tuple[CurrencyTotal, ...]
    promotion_uses: dict[str, int | None]
    code_uses: dict[str, int | None]

    @property
    def order_count(self) -> int:
        return len(self.orders)

    def to_json(self) -> dict[str, Any]:
        return {
            "store_hash": self.store_hash,
            "promotion_ids": list(self.promotion_ids),
            "coupon_codes": list(self.coupon_codes),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "order_count": self.order_count,
            "orders": [
                {
                    "order_id": o.order_id,
                    "order_date": o.order_date.isoformat(),
                    "currency": o.currency,
                    "discount_minor": o.discount_minor,
                    "used": list(o.used),
                }
                for o in self.orders
            ],
            "totals": [
                {"currency": t.currency, "orders": t.orders, "discount_minor": t.discount_minor}
                for t in self.totals
            ],
            "promotion_uses": dict(sorted(self.promotion_uses.items())),
            "code_uses": dict(sorted(self.code_uses.items())),
        }

    def to_json_bytes(self) -> bytes:
        """The staged, embedded and hashed form (`canonical_json`)."""
        return canonical_json(self.to_json())

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> CampaignUsage:
        return cls.from_json(json.loads(raw))

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> CampaignUsage:
        return cls(
            store_hash=body["store_hash"],
            promotion_ids=tuple(body["promotion_ids"]),
            coupon_codes=tuple(body["coupon_codes"]),
            start=datetime.fromisoformat(body["start"]),
            end=datetime.fromisoformat(body["end"]),
            orders=tuple(
                OrderUse(
                    o["order_id"],
                    datetime.fromisoformat(o["order_date"]),
                    o["currency"],
                    o["discount_minor"],
                    tuple(o["used"]),
                )
                for o in body["orders"]
            ),
            totals=tuple(
                CurrencyTotal(t["currency"], t["orders"], t["discount_minor"])
                for t in body["totals"]
            ),
            promotion_uses=dict(body["promotion_uses"]),
            code_uses=dict(body["code_uses"]),
        )


def _label(discount: LineDiscount) -> str:
    """`code WINTER` for a line discount by code, else `promotion 12`."""
    return f"code {discount.code}" if discount.code else f"promotion {discount.discount_id}"


def _promotion_uses(client: BigCommerceClient, promotion_id: str) -> int | None:
    try:
        body = client.get_v3(f"/promotions/{int(promotion_id)}")
    except NotFound:
        return MISSING
    return None if body is None else int(body.get("current_uses") or 0)


def _codes(client: BigCommerceClient, promotion_id: int) -> Iterator[dict[str, Any]]:
    """A promotion's codes, by cursor (`after`) until no `next` link."""
    params: dict[str, Any] = {"limit": 250}
    while True:
        body = client.request("GET", f"/v3/promotions/{promotion_id}/codes", params=params) or {}
        yield from body.get("data") or []
        cursor = (body.get("meta") or {}).get("cursor_pagination") or {}
        if not (cursor.get("links") or {}).get("next") or not cursor.get("end_cursor"):
            return
        params = {"limit": 250, "after": cursor["end_cursor"]}


def _code_uses(client: BigCommerceClient, code: str) -> int | None:
    for promotion in client.iter_v3("/promotions", {"code": code}):
        for row in _codes(client, int(promotion["id"])):
            if str(row.get("code", "")).lower() == code.lower():
                return int(row.get("current_uses") or 0)
    legacy = client.get_v2("/coupons", {"code": code}) or []
    return int(legacy[0].get("num_uses") or 0) if legacy else MISSING


def campaign_usage(
    index: ArchiveIndex,
    client: BigCommerceClient,
    store_hash: str,
    promotion_ids: Sequence[str | int],
    coupon_codes: Sequence[str],
    start: datetime,
    end: datetime,
) -> CampaignUsage:
    """The campaign's orders in [start, end] from the index, and the final counters."""
    ids = tuple(sorted({str(p) for p in promotion_ids}))
    codes = tuple(sorted(set(coupon_codes)))
    used = OrderDiscounts(index.engine).used(store_hash, ids, codes, start, end)
    by_order: dict[int, list[Any]] = defaultdict(list)
    for row in used:
        by_order[row.order_id].append(row)
    orders = tuple(
        OrderUse(
            order_id=order_id,
            order_date=rows[0].order_date,
            currency=rows[0].currency,
            discount_minor=sum(r.discount.amount_minor for r in rows),
            used=tuple(sorted({_label(r.discount) for r in rows})),
        )
        for order_id, rows in sorted(by_order.items())
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for order in orders:
        totals[order.currency][0] += 1
        totals[order.currency][1] += order.discount_minor
    return CampaignUsage(
        store_hash=store_hash,
        promotion_ids=ids,
        coupon_codes=codes,
        start=start,
        end=end,
        orders=orders,
        totals=tuple(CurrencyTotal(c, n, d) for c, (n, d) in sorted(totals.items())),
        promotion_uses={pid: _promotion_uses(client, pid) for pid in ids},
        code_uses={code: _code_uses(client, code) for code in codes},
    )
