"""Whether a promotion lowers prices in the EU, where Art 6a of the Price Indication
Directive (98/6/EC as amended by 2019/2161) asks for the prior price.

The member states (27, ISO 3166-1 alpha-2; Greece as `GR`, which is the ISO code, not
the EU's own `EL`), from https://european-union.europa.eu/principles-countries-history/
eu-countries_en. EU currencies: the euro and the national currencies of members outside
the euro area (same source, and https://european-union.europa.eu/institutions-law-budget/
euro/countries-using-euro_en); a promotion in one of them is taken to sell in the EU.

A promotion lowers prices in the EU (our reading, issue 17 item 5) when it has a rule
that discounts items or the cart (`cart_items`, `cart_value` with a discount, or
`fixed_price_set`: promotions.v3.yml) and: its `shipping_address.countries` name an EU
country; or, with no country restriction, it runs on an EU channel, is in an EU currency,
or the store sells into the EU (`sells_to_eu`). Promotions restricted to countries none
of which is in the EU are outside the Directive whatever their currency.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

EU_MEMBERS = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU"),
        *("IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
    }
)
EU_CURRENCIES = frozenset({"EUR", "BGN", "CZK", "DKK", "HUF", "PLN", "RON", "SEK"})
PRICE_ACTIONS = ("cart_items", "cart_value")


def _positive(value: object) -> bool:
    try:
        return Decimal(str(value)) > 0
    except (InvalidOperation, ValueError):
        return False


def lowers_prices(promotion: Mapping[str, Any]) -> bool:
    """A rule that takes money off items or the cart (shipping and gifts do not)."""
    for rule in promotion.get("rules") or ():
        action = rule.get("action") or {}
        if "fixed_price_set" in action:
            return True
        for name in PRICE_ACTIONS:
            discount = (action.get(name) or {}).get("discount") or {}
            if any(_positive(v) for v in discount.values()):
                return True
    return False


def countries_of(promotion: Mapping[str, Any]) -> list[str]:
    shipping = promotion.get("shipping_address") or {}
    return sorted(
        str(c.get("iso2_country_code", "")).upper() for c in shipping.get("countries") or ()
    )


def eu_reason(
    promotion: Mapping[str, Any],
    *,
    eu_channels: Collection[int] = (),
    sells_to_eu: bool = False,
) -> str | None:
    """Why the promotion's reduction falls under Art 6a, or None when it does not."""
    if not lowers_prices(promotion):
        return None
    countries = countries_of(promotion)
    if countries:
        eu = [c for c in countries if c in EU_MEMBERS]
        return f"ships to EU countries {', '.join(eu)}" if eu else None
    channels = sorted({int(c["id"]) for c in promotion.get("channels") or ()} & set(eu_channels))
    if channels:
        return f"runs on EU channels {', '.join(map(str, channels))}"
    currency = str(promotion.get("currency_code") or "*").upper()
    if currency in EU_CURRENCIES:
        return f"priced in {currency}, an EU currency"
    if sells_to_eu:
        return "no country restriction, and the store sells into the EU"
    return None
