"""Store Information v2 (store_information.v2.yml): `GET /v2/store` and `GET /v2/time`.

Both need `store_v2_information` (or its read-only form): the spec declares that scope for
the whole file, `/time` included, so a token without it gets 403 even on the call clients
make first "for validating API authentication details".
"""

from __future__ import annotations

import uuid
import zlib

from aiohttp import web

from .envelopes import json_response
from .errors import Dialect
from .routing import Route, RouteGroup, store_of
from .settings import GLOBAL

STORE_INFO = RouteGroup("settings", Dialect.V2, ("store_v2_information",))


# The seeded seller: a US coffee-gear merchant whose catalogue is priced in USD (as the
# seed's prices are). `GET /v2/store` has no field for a tax or VAT id
# (store_information.v2.yml), so `bcrm` takes those from sellers.toml.
SELLER_PROFILE = {
    "name": "Brewline Supply Co.",
    "first_name": "Dana",
    "last_name": "Whitaker",
    "address": "1200 Harbor Blvd, Suite 4\nPortland, OR 97201",
    "country": "United States",
    "country_code": "US",
    "phone": "+1 503 555 0142",
    "admin_email": "dana.whitaker@brewline.example",
    "order_email": "orders@brewline.example",
}


async def store_information(request: web.Request) -> web.Response:
    """`GET /v2/store`: every field of store_information.v2.yml's StoreInformation, with
    the seeded seller's profile; the consent-tracking flag follows the store's privacy
    settings."""
    store = store_of(request)
    privacy = store.customer_settings[GLOBAL]["privacy_settings"]
    host = f"store-{store.store_hash}.mybigcommerce.com"
    return json_response(
        {
            "id": store.store_hash,
            "account_uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, host)),
            "domain": "store.example.com",
            "secure_url": "https://store.example.com",
            "control_panel_base_url": f"https://{host}",
            "status": "live",
            **SELLER_PROFILE,
            "infrastructure_region": "us-west1",
            "favicon_url": "https://store.example.com/favicon.ico",
            "timezone": {
                "name": "Etc/UTC",
                "raw_offset": 0,
                "dst_offset": 0,
                "dst_correction": False,
                "date_format": {
                    "display": "M jS Y",
                    "export": "M jS Y",
                    "extended_display": "M jS Y @ g:i A",
                },
            },
            "language": "en",
            "currency": "USD",
            "currency_symbol": "$",
            "decimal_separator": ".",
            "thousands_separator": ",",
            "decimal_places": 2,
            "currency_symbol_location": "left",
            "weight_units": "Ounces",
            "dimension_units": "Inches",
            "dimension_decimal_places": 2,
            "dimension_decimal_token": ".",
            "dimension_thousands_token": ",",
            "plan_name": "Standard",
            "plan_level": "Standard",
            "plan_is_trial": False,
            "industry": "Food & Beverage",
            "logo": [],
            "is_price_entered_with_tax": False,
            "store_id": 1000000 + zlib.crc32(store.store_hash.encode()) % 9000000,
            "default_channel_id": 1,
            "default_site_id": 1000,
            "active_comparison_modules": [],
            "features": {
                "stencil_enabled": True,
                "sitewidehttps_enabled": True,
                "facebook_catalog_id": "",
                "checkout_type": "optimized",
                "wishlists_enabled": False,
                "graphql_storefront_api_enabled": True,
                "shopper_consent_tracking_enabled": privacy["ask_shopper_for_tracking_consent"],
                "multi_storefront_enabled": False,
                "storefront_limits": {"active": 1, "total_including_inactive": 1},
            },
        }
    )


async def system_time(request: web.Request) -> web.Response:
    """`GET /v2/time`: `{"time": <unix seconds>}` on the store's clock (the spec's example
    is `{"time": 1529512970}`), so a test clock moves it too."""
    return json_response({"time": store_of(request).now()})


ROUTES: list[Route] = [
    STORE_INFO.get("/v2/store", store_information),
    STORE_INFO.get("/v2/time", system_time),
]
