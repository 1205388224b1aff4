"""Store Information v2 (store_information.v2.yml): `GET /v2/store` and `GET /v2/time`.

Both need `store_v2_information` (or its read-only form): the spec declares that scope for
the whole file, `/time` included, so a token without it gets 403 even on the call clients
make first "for validating API authentication details".
"""

from __future__ import annotations

from aiohttp import web

from .envelopes import json_response
from .errors import Dialect
from .routing import Route, RouteGroup, store_of
from .settings import GLOBAL

STORE_INFO = RouteGroup("settings", Dialect.V2, ("store_v2_information",))


async def store_information(request: web.Request) -> web.Response:
    """`GET /v2/store`, reduced to what consent capture needs: the tracking-consent flag."""
    store = store_of(request)
    privacy = store.customer_settings[GLOBAL]["privacy_settings"]
    return json_response(
        {
            "id": store.store_hash,
            "domain": "store.example.com",
            "secure_url": "https://store.example.com",
            "name": "bcrm Emulated Store",
            "currency": "USD",
            "timezone": {"name": "Etc/UTC", "raw_offset": 0},
            "language": "en",
            "features": {
                "shopper_consent_tracking_enabled": privacy["ask_shopper_for_tracking_consent"]
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
