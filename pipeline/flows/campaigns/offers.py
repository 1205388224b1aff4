"""What the campaigns flow reads of a store's discounts: every promotion (`GET
/v3/promotions`, with its codes from `GET /v3/promotions/{id}/codes` for coupon
promotions) and every legacy coupon (`GET /v2/coupons`), as `Offer`s whose `body` is the
version: everything that says what the discount does, to whom, where and when.

Reference bigcommerce-api.md §7: promotions carry no `date_modified` and fire no
webhooks, so every look reads them all; codes are not returned by GET promotion (only by
the codes endpoint). Usage counters (`current_uses` of a promotion and of its codes, a
coupon's `num_uses`) move with every order and are left out of the version: a version
changes when someone changes the discount, not when a customer uses it. A promotion's
`status` is in it: BigCommerce turns it DISABLED at its end date or use limit, and what
runs has then changed. Promotion-backed coupons (`type=promotion` in /v2/coupons) are
the promotion's codes seen again and are skipped.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.flows.approvals.change_request import canonical, digest
from pipeline.integrations.bigcommerce.client import BigCommerceClient

PROMOTION = "promotion"
COUPON = "coupon"
PROMOTION_COUNTERS = frozenset({"current_uses"})
COUPON_COUNTERS = frozenset({"num_uses"})
CONTROL_PANEL = frozenset({"react_ui", "legacy_ui"})


@dataclass(frozen=True)
class Offer:
    """One promotion or legacy coupon as read now: `body` is its version (canonical JSON,
    counters removed), `uses` its usage counter, `codes` its coupon codes."""

    kind: str
    id: str
    body: dict[str, Any]
    uses: int
    codes: tuple[str, ...]

    @property
    def subject(self) -> str:
        return f"{self.kind}/{self.id}"

    @property
    def fingerprint(self) -> str:
        return digest(self.body)

    @property
    def approval_fingerprint(self) -> str:
        """What an approval binds: the version without its status. Whether it runs is the
        campaign's window to say (the checks hold a live promotion against it, and a
        campaign that publishes its promotions enables and disables them itself), so a
        status change is not a change of what was approved."""
        return digest({k: v for k, v in self.body.items() if k != "status"})

    @property
    def name(self) -> str:
        return str(self.body.get("name") or "")


def _moment(text: Any) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _coupon_expiry(text: Any) -> datetime | None:
    """A coupon's `expires` is RFC 2822 or "" (never)."""
    return email.utils.parsedate_to_datetime(str(text)) if text else None


def live(offer: Offer, now: datetime) -> bool:
    """Enabled and in its window now (a promotion's start and end; a coupon's expiry)."""
    body = offer.body
    if offer.kind == COUPON:
        expires = _coupon_expiry(body.get("expires"))
        return bool(body.get("enabled")) and (expires is None or now < expires)
    start, end = _moment(body.get("start_date")), _moment(body.get("end_date"))
    return (
        body.get("status") == "ENABLED"
        and (start is None or start <= now)
        and (end is None or now < end)
    )


def window(offer: Offer) -> tuple[datetime | None, datetime | None]:
    if offer.kind == COUPON:
        return None, _coupon_expiry(offer.body.get("expires"))
    return _moment(offer.body.get("start_date")), _moment(offer.body.get("end_date"))


def channels(offer: Offer) -> tuple[int, ...] | None:
    """The channel ids it runs on; None: every channel (`channels: []`, and coupons)."""
    listed = offer.body.get("channels") or []
    return tuple(sorted(int(c["id"]) for c in listed)) or None


def countries(offer: Offer) -> tuple[str, ...] | None:
    """The shipping countries it is limited to; None: any country."""
    address = offer.body.get("shipping_address") or {}
    listed = address.get("countries") or [] if isinstance(address, dict) else []
    return tuple(sorted(str(c["iso2_country_code"]).upper() for c in listed)) or None


def currency(offer: Offer) -> str | None:
    """Its currency; None: every currency (`*`, and coupons)."""
    code = offer.body.get("currency_code")
    return None if not code or code == "*" else str(code).upper()


def _percentages(value: Any) -> Iterator[Decimal]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "percentage_amount":
                try:
                    yield Decimal(str(inner))
                except InvalidOperation:
                    continue
            else:
                yield from _percentages(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _percentages(inner)


def largest_percentage(offer: Offer) -> Decimal | None:
    """The largest percentage discount its rules give (`discount.percentage_amount` of any
    action); a `percentage_discount` coupon's amount. None: no percentage (fixed amounts,
    free shipping, gifts cannot be held against a percentage without a cart)."""
    if offer.kind == COUPON:
        if offer.body.get("type") != "percentage_discount":
            return None
        return Decimal(str(offer.body.get("amount") or "0"))
    found = list(_percentages(offer.body.get("rules") or []))
    return max(found) if found else None


def created_in_control_panel(offer: Offer) -> bool:
    return offer.body.get("created_from") in CONTROL_PANEL


def _promotion(client: BigCommerceClient, row: dict[str, Any]) -> Offer:
    body = {k: v for k, v in row.items() if k not in PROMOTION_COUNTERS}
    codes: list[dict[str, Any]] = []
    if row.get("redemption_type") == "COUPON":
        codes = [
            {k: v for k, v in code.items() if k not in PROMOTION_COUNTERS}
            for code in client.iter_v3(f"/promotions/{row['id']}/codes")
        ]
        body["codes"] = sorted(codes, key=lambda c: str(c.get("code")))
    return Offer(
        PROMOTION,
        str(row["id"]),
        canonical(body),
        int(row.get("current_uses") or 0),
        tuple(sorted(str(c["code"]) for c in codes)),
    )


def _coupon(row: dict[str, Any]) -> Offer:
    body = {k: v for k, v in row.items() if k not in COUPON_COUNTERS}
    return Offer(
        COUPON, str(row["id"]), canonical(body), int(row.get("num_uses") or 0), (str(row["code"]),)
    )


def read_offers(client: BigCommerceClient, promotions: list[dict[str, Any]]) -> list[Offer]:
    """Every promotion (`promotions`, as `GET /v3/promotions` listed them, with their
    codes) and every legacy coupon of the store."""
    offers = [_promotion(client, row) for row in promotions]
    offers += [_coupon(row) for row in client.iter_v2("/coupons") if row.get("type") != "promotion"]
    return offers


def read_promotion(client: BigCommerceClient, promotion_id: int) -> Offer:
    """One promotion as a look reads it (`GET /v3/promotions/{id}`, and its codes)."""
    return _promotion(client, client.get_v3(f"/promotions/{promotion_id}"))
