"""Prior-price evidence of an EU price reduction (issue 17 item 5): per product or
variant a promotion reduces, the lowest price of the 30 days before the reduction's
start, the reduction computed from it, and whether the price history covers those days.

The law: Price Indication Directive 98/6/EC Art 6a (as amended by 2019/2161, applying
from 2022-05-28): an announced price reduction states the prior price, the lowest price
applied in a period of not less than 30 days before the reduction; Commission guidance
2021/C 526/02; CJEU C-330/23 Aldi Süd (2024-09-26): a reduction announced as a
percentage or a "price highlight" must be computed from that prior price.

Arithmetic, all in integer minor units of the history's currency (`pipeline.index.money`):
- the window is [start − 30 days, start); a price is in it when its time in force (from
  its history point's `effective_at` to the next point's) overlaps the window; the
  selling price is the sale price when one is set, else the price;
- the prior price is the lowest of them, but only when the history covers the window
  (observation began at or before the window's start: from then on every product was
  read, and one first seen later did not exist before; and a poll finished at or after
  the reduction's start, so no change before it is still unseen: evidence computed for a
  reduction that starts later, or just after a price change not polled yet, is not
  covered rather than stating a prior price the store may still undercut). When it does
  not, the prior price is None and the evidence says from when it knows the prices (`observed_from`)
  and the lowest it saw since: it does not guess;
- the promotional price: the price at the start less a percentage (half up to the minor
  unit) or less a per-item fixed amount (`cart_items`); a whole-cart fixed amount
  (`cart_value`) has no per-item price, so none is computed;
- the reduction from the prior price in minor units and as a percentage of it (two
  decimals, half up); `advertised_percent` is the rule's own percentage, and
  `advertised_holds` says whether the reduction from the prior price is at least that.

Limits: the history holds the catalog's prices, in the store's default currency; a
promotion in another currency (`currency_code`) is priced by price lists, which are not
read, so its items are stated as not covered. A price in force for less than a poll
interval between two polls is not seen; a
change is dated by the catalog's `date_modified` when polling first saw it, which is
the change time unless the product changed again before that poll. Promotions scoped by
brand or category need the catalog's membership (`members`); item matchers combined
with `and`/`not` are taken as all the items they name (more evidence, never less).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pipeline.flows.campaigns.prices.eu import eu_reason
from pipeline.index.money import to_minor
from pipeline.index.prices import BASE, Observation, PriceHistory, PricePoint
from pipeline.index.records import ArchiveIndex
from schemas.snapshot import canonical_json

WINDOW = timedelta(days=30)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# (kind, ids) -> product ids: the catalog's brand or category membership.
Members = Callable[[str, Sequence[int]], Iterable[int]]


@dataclass(frozen=True)
class Reduction:
    """What one rule takes off an item: a percentage, or a fixed amount per item."""

    percent: Decimal | None = None
    fixed_minor: int | None = None

    def applied_to(self, price_minor: int) -> int | None:
        if self.percent is not None:
            off = Decimal(price_minor) * self.percent / HUNDRED
            return price_minor - int(off.quantize(Decimal(1), ROUND_HALF_UP))
        if self.fixed_minor is not None:
            return max(0, price_minor - self.fixed_minor)
        return None


@dataclass(frozen=True)
class ItemEvidence:
    """The evidence for one product (`variant_id` 0) or variant."""

    product_id: int
    variant_id: int
    complete: bool
    observed_from: datetime | None
    prior_price_minor: int | None
    lowest_observed_minor: int | None
    price_at_start_minor: int | None
    promotional_price_minor: int | None
    reduction_minor: int | None
    reduction_percent: Decimal | None
    advertised_percent: Decimal | None
    advertised_holds: bool | None
    prices_in_window: tuple[tuple[datetime, int], ...]

    def to_json(self) -> dict[str, Any]:
        def text(value: object) -> object:
            return None if value is None else str(value)

        return {
            "product_id": self.product_id,
            "variant_id": self.variant_id,
            "complete": self.complete,
            "observed_from": None if self.observed_from is None else self.observed_from.isoformat(),
            "prior_price_minor": self.prior_price_minor,
            "lowest_observed_minor": self.lowest_observed_minor,
            "price_at_start_minor": self.price_at_start_minor,
            "promotional_price_minor": self.promotional_price_minor,
            "reduction_minor": self.reduction_minor,
            "reduction_percent": text(self.reduction_percent),
            "advertised_percent": text(self.advertised_percent),
            "advertised_holds": self.advertised_holds,
            "prices_in_window": [[at.isoformat(), m] for at, m in self.prices_in_window],
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> ItemEvidence:
        def decimal(value: object) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        return cls(
            product_id=int(body["product_id"]),
            variant_id=int(body["variant_id"]),
            complete=bool(body["complete"]),
            observed_from=_optional_moment(body["observed_from"]),
            prior_price_minor=body["prior_price_minor"],
            lowest_observed_minor=body["lowest_observed_minor"],
            price_at_start_minor=body["price_at_start_minor"],
            promotional_price_minor=body["promotional_price_minor"],
            reduction_minor=body["reduction_minor"],
            reduction_percent=decimal(body["reduction_percent"]),
            advertised_percent=decimal(body["advertised_percent"]),
            advertised_holds=body["advertised_holds"],
            prices_in_window=tuple(
                (datetime.fromisoformat(at), int(m)) for at, m in body["prices_in_window"]
            ),
        )


@dataclass(frozen=True)
class PriorPriceEvidence:
    """The evidence for one promotion version's EU reduction."""

    store_hash: str
    promotion_id: int
    promotion_name: str
    starts_at: datetime
    window_from: datetime
    currency: str
    eu_reason: str
    observation_began: datetime | None
    items: tuple[ItemEvidence, ...]

    @property
    def complete(self) -> bool:
        """Every item covered, by a history that was observed at all; an evidence with
        no item at all (no prices known in its currency) is not."""
        return (
            self.observation_began is not None
            and bool(self.items)
            and all(i.complete for i in self.items)
        )

    def to_json(self) -> dict[str, Any]:
        began = self.observation_began
        return {
            "store_hash": self.store_hash,
            "promotion_id": self.promotion_id,
            "promotion_name": self.promotion_name,
            "starts_at": self.starts_at.isoformat(),
            "window_from": self.window_from.isoformat(),
            "currency": self.currency,
            "eu_reason": self.eu_reason,
            "observation_began": None if began is None else began.isoformat(),
            "complete": self.complete,
            "items": [item.to_json() for item in self.items],
        }

    def to_json_bytes(self) -> bytes:
        """The staged, embedded and hashed form (`canonical_json`)."""
        return canonical_json(self.to_json())

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> PriorPriceEvidence:
        return cls.from_json(json.loads(raw))

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> PriorPriceEvidence:
        return cls(
            store_hash=body["store_hash"],
            promotion_id=int(body["promotion_id"]),
            promotion_name=body["promotion_name"],
            starts_at=datetime.fromisoformat(body["starts_at"]),
            window_from=datetime.fromisoformat(body["window_from"]),
            currency=body["currency"],
            eu_reason=body["eu_reason"],
            observation_began=_optional_moment(body["observation_began"]),
            items=tuple(ItemEvidence.from_json(item) for item in body["items"]),
        )


def _optional_moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _matched(matcher: Mapping[str, Any], members: Members | None) -> tuple[set[int], set[int]]:
    """(product ids, variant ids) an item matcher names; `and`/`or`/`not` unioned."""
    products: set[int] = set(map(int, matcher.get("products") or ()))
    variants: set[int] = set(map(int, matcher.get("variants") or ()))
    for kind in ("brands", "categories"):
        if matcher.get(kind):
            if members is None:
                raise ValueError(f"a promotion scoped by {kind} needs the catalog's members")
            products |= set(members(kind, [int(x) for x in matcher[kind]]))
    for combined in ("and", "or"):
        for inner in matcher.get(combined) or ():
            more = _matched(inner, members)
            products |= more[0]
            variants |= more[1]
    if "not" in matcher:
        more = _matched(matcher["not"], members)
        products |= more[0]
        variants |= more[1]
    return products, variants


def _reduction(discount: Mapping[str, Any], per_item: bool, currency: str) -> Reduction:
    if "percentage_amount" in discount:
        return Reduction(percent=Decimal(str(discount["percentage_amount"])))
    if "fixed_amount" in discount and per_item:
        return Reduction(fixed_minor=to_minor(discount["fixed_amount"], currency))
    return Reduction()


def affected_items(
    promotion: Mapping[str, Any],
    catalog: Mapping[int, Sequence[int]],
    currency: str,
    members: Members | None = None,
) -> dict[tuple[int, int], Reduction]:
    """The (product, variant) keys a promotion reduces, with the first reduction that
    applies to each; `catalog` is every product with its variant keys (0 first)."""
    found: dict[tuple[int, int], Reduction] = {}
    for rule in promotion.get("rules") or ():
        action = rule.get("action") or {}
        if "cart_value" in action:
            reduction = _reduction(action["cart_value"].get("discount") or {}, False, currency)
            keys = [(p, v) for p, variants in catalog.items() for v in variants]
        elif "cart_items" in action:
            body = action["cart_items"]
            per_item = not body.get("as_total")
            reduction = _reduction(body.get("discount") or {}, per_item, currency)
            products, variants = _matched(body.get("items") or {}, members)
            keys = [
                (p, v)
                for p, vs in catalog.items()
                for v in vs
                if (p in products) or (v != BASE and v in variants) or not (products or variants)
            ]
            keys += [(p, BASE) for p in sorted(products - set(catalog))]
        elif "fixed_price_set" in action:
            reduction = Reduction()
            products, variants = _matched(action["fixed_price_set"].get("items") or {}, members)
            keys = [
                (p, v)
                for p, vs in catalog.items()
                for v in vs
                if p in products or (v != BASE and v in variants)
            ]
        else:
            continue
        for key in keys:
            found.setdefault(key, reduction)
    return found


def _in_force(points: Sequence[PricePoint], start: datetime, end: datetime) -> list[PricePoint]:
    """The points whose time in force overlaps [start, end)."""
    chosen = []
    for n, point in enumerate(points):
        until = points[n + 1].effective_at if n + 1 < len(points) else None
        if point.effective_at < end and (until is None or until > start):
            chosen.append(point)
    return chosen


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def item_evidence(
    points: Sequence[PricePoint],
    observation: Observation | None,
    starts_at: datetime,
    reduction: Reduction,
    key: tuple[int, int],
) -> ItemEvidence:
    """The arithmetic for one key (see the module docstring)."""
    window_from = starts_at - WINDOW
    began = None if observation is None else observation.began_at
    # A product the history never saw (named by the rule, not in the catalog when polled)
    # has no prices to state: not covered, whatever the observation's reach. Nor is a
    # window the history does not reach the end of (no poll since the start: a reduction
    # starting later, or a change just before the start not polled yet).
    reaches = observation is not None and observation.polled_at >= starts_at
    complete = began is not None and began <= window_from and reaches and bool(points)
    in_window = _in_force(points, window_from, starts_at)
    lowest = min((p.selling_minor for p in in_window), default=None)
    at_start = _in_force(points, starts_at, starts_at + timedelta(seconds=1))
    price_now = at_start[-1].selling_minor if at_start else None
    promotional = None if price_now is None else reduction.applied_to(price_now)
    prior = lowest if complete else None
    cut = None if prior is None or promotional is None else prior - promotional
    percent = None if cut is None or not prior else _percent(cut, prior)
    holds = (
        None
        if percent is None or reduction.percent is None
        else percent >= reduction.percent.quantize(CENT)
    )
    return ItemEvidence(
        product_id=key[0],
        variant_id=key[1],
        complete=complete,
        observed_from=window_from if complete else began,
        prior_price_minor=prior,
        lowest_observed_minor=lowest,
        price_at_start_minor=price_now,
        promotional_price_minor=promotional,
        reduction_minor=cut,
        reduction_percent=percent,
        advertised_percent=reduction.percent,
        advertised_holds=holds,
        prices_in_window=tuple(
            (max(p.effective_at, window_from), p.selling_minor) for p in in_window
        ),
    )


def _same_prices(item: ItemEvidence, product: ItemEvidence | None) -> bool:
    """A variant that inherits its product's prices says nothing the product does not."""
    return product is not None and (
        item.prices_in_window,
        item.price_at_start_minor,
        item.promotional_price_minor,
    ) == (product.prices_in_window, product.price_at_start_minor, product.promotional_price_minor)


def _currency(promotion: Mapping[str, Any], observation: Observation | None) -> str:
    """The promotion's own currency when it names one, else the history's (the store's
    default). A currency the history has no prices in leaves every item not covered."""
    named = str(promotion.get("currency_code") or "*").upper()
    if named != "*":
        return named
    return "" if observation is None else observation.currency


def _moment(value: object, default: datetime) -> datetime:
    if not value:
        return default
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def prior_price_evidence(
    index: ArchiveIndex,
    store_hash: str,
    promotion: Mapping[str, Any],
    *,
    eu_channels: Collection[int] = (),
    sells_to_eu: bool = False,
    members: Members | None = None,
    now: datetime | None = None,
) -> PriorPriceEvidence | None:
    """The evidence for `promotion` (its v3 body), or None when its reduction is not an
    EU one (`eu.eu_reason`). The reduction starts at its `start_date` (`now` if unset)."""
    reason = eu_reason(promotion, eu_channels=eu_channels, sells_to_eu=sells_to_eu)
    if reason is None:
        return None
    history = PriceHistory(index.engine)
    observation = history.observation(store_hash)
    currency = _currency(promotion, observation)
    starts_at = _moment(promotion.get("start_date"), now or datetime.now(UTC))
    catalog = history.keys(store_hash, currency)
    items = affected_items(promotion, catalog, currency, members)
    computed = {
        key: item_evidence(
            history.history(store_hash, currency, *key), observation, starts_at, reduction, key
        )
        for key, reduction in sorted(items.items())
    }
    evidence = tuple(
        item
        for (product_id, variant_id), item in computed.items()
        if variant_id == BASE or not _same_prices(item, computed.get((product_id, BASE)))
    )
    return PriorPriceEvidence(
        store_hash=store_hash,
        promotion_id=int(promotion["id"]),
        promotion_name=str(promotion.get("name") or ""),
        starts_at=starts_at,
        window_from=starts_at - WINDOW,
        currency=currency,
        eu_reason=reason,
        observation_began=None if observation is None else observation.began_at,
        items=evidence,
    )
