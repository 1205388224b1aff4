"""Settings that carry legal text and consent: checkout terms and conditions per channel,
customer privacy settings, and each customer's cookie consent.

Shapes per checkouts.v3.yml and customers.v3.yml: the store-wide checkout settings hold
only the custom checkout script fields; the terms fields (and `policy_consent`, a string)
exist per channel. Writes fire the channel settings webhooks and enter the disclosure log
(`disclosures`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import disclosures
from .envelopes import json_response, read_json, v3_object
from .errors import ApiError, Dialect
from .formats import iso8601
from .routing import Route, RouteGroup, int_arg, store_of

CHECKOUT = RouteGroup("settings", Dialect.V3, ("store_v2_information",))
CUSTOMERS = RouteGroup("settings", Dialect.V3, ("store_v2_customers",))
CONSENT_CATEGORIES = ("essential", "functional", "analytics", "targeting")
TERMS_TYPES = ("link", "textarea")
GLOBAL = 0


def _channel(table: dict[int, dict[str, Any]], request: web.Request) -> int:
    channel = int_arg(request, "channel_id") if "channel_id" in request.match_info else GLOBAL
    if channel not in table:
        raise ApiError(404, f"Channel {channel} was not found.")
    return channel


def _section(table: dict[int, dict[str, Any]], request: web.Request) -> dict[str, Any]:
    return table[_channel(table, request)]


def _merge(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Partial update one level deep: known keys only, nested objects merged."""
    unknown = set(body) - set(current)
    if unknown:
        raise ApiError(
            422,
            "The request data is invalid.",
            errors={k: "unknown field" for k in sorted(unknown)},
        )
    for key, value in body.items():
        if isinstance(current[key], dict) and isinstance(value, dict):
            current[key] = {**current[key], **value}
        else:
            current[key] = value
    return current


async def get_checkout(request: web.Request) -> web.Response:
    return v3_object(_section(store_of(request).checkout_settings, request))


async def put_checkout(request: web.Request) -> web.Response:
    """A write fires `settings/checkout/updated` and enters the disclosure log."""
    store = store_of(request)
    channel = _channel(store.checkout_settings, request)
    body = await read_json(request)
    kind = body.get("order_terms_and_conditions_type")
    if kind is not None and kind not in TERMS_TYPES:
        raise ApiError(
            422,
            "The request data is invalid.",
            errors={"order_terms_and_conditions_type": f"one of {TERMS_TYPES}"},
        )
    updated = _merge(store.checkout_settings[channel], body)
    if channel == GLOBAL:
        disclosures.store_checkout_changed(store)
    else:
        disclosures.checkout_terms_changed(store, channel)
    return v3_object(updated)


async def get_customer_settings(request: web.Request) -> web.Response:
    return v3_object(_section(store_of(request).customer_settings, request))


async def put_customer_settings(request: web.Request) -> web.Response:
    """A write that touches `privacy_settings` fires `settings/customerPrivacy/updated`
    and enters the disclosure log."""
    store = store_of(request)
    channel = _channel(store.customer_settings, request)
    body = await read_json(request)
    updated = _merge(store.customer_settings[channel], body)
    if "privacy_settings" in body:
        disclosures.privacy_changed(store, channel)
    return v3_object(updated)


def _customer(request: web.Request) -> int:
    cid = int_arg(request, "customer_id")
    if cid not in store_of(request).customers:
        raise ApiError(404, "The resource at that URL is not found.")
    return cid


async def get_consent(request: web.Request) -> web.Response:
    """`updated_at` is the time of the call, not of the last change: a documented quirk."""
    store = store_of(request)
    consent = store.consents.get(_customer(request), {"allow": [], "deny": []})
    return json_response(
        {"allow": consent["allow"], "deny": consent["deny"], "updated_at": iso8601(store.now())}
    )


async def put_consent(request: web.Request) -> web.Response:
    store = store_of(request)
    cid = _customer(request)
    body = await read_json(request)
    allow, deny = body.get("allow", []), body.get("deny", [])
    errors = {}
    for name, values in (("allow", allow), ("deny", deny)):
        if not isinstance(values, list) or set(values) - set(CONSENT_CATEGORIES):
            errors[name] = f"must be a list of {', '.join(CONSENT_CATEGORIES)}"
    if not errors and set(allow) & set(deny):
        errors["deny"] = "a category cannot be both allowed and denied"
    if errors:
        raise ApiError(422, "The request data is invalid.", errors=errors)
    store.consents[cid] = {"allow": allow, "deny": deny, "updated_at": store.now()}
    # The change fires store/customer/updated, so a `date_modified:min` poll must see it.
    store.customers[cid]["date_modified"] = store.now()
    store.emit("store/customer/updated", {"type": "customer", "id": cid})
    return json_response({"allow": allow, "deny": deny, "updated_at": iso8601(store.now())})


ROUTES: list[Route] = [
    CHECKOUT.get("/v3/checkouts/settings", get_checkout),
    CHECKOUT.put("/v3/checkouts/settings", put_checkout),
    CHECKOUT.get("/v3/checkouts/settings/channels/{channel_id}", get_checkout),
    CHECKOUT.put("/v3/checkouts/settings/channels/{channel_id}", put_checkout),
    CUSTOMERS.get("/v3/customers/settings", get_customer_settings),
    CUSTOMERS.put("/v3/customers/settings", put_customer_settings),
    CUSTOMERS.get("/v3/customers/settings/channels/{channel_id}", get_customer_settings),
    CUSTOMERS.put("/v3/customers/settings/channels/{channel_id}", put_customer_settings),
    CUSTOMERS.get("/v3/customers/{customer_id}/consent", get_consent),
    CUSTOMERS.put("/v3/customers/{customer_id}/consent", put_consent),
]
