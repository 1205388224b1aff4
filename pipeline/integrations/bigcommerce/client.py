"""The BigCommerce REST client: one Session, one place for auth, the rate governor and
error translation; v2 and v3 paging as iterators; the calls the pipeline makes.

Methods return the API's JSON as the wire has it (v2 money as strings, RFC 2822 dates;
v3 ISO 8601 dates), except that JSON numbers with a fraction arrive as `Decimal`, so a
v3 amount never passes through a binary float. `schemas.bigcommerce` turns these payloads
into typed records with aware datetimes; the snapshot stages them as fetched.

No retries here: a failure raises TransientError or PermanentError and the stage base
decides (DESIGN: "no retries hidden in three layers"). Waiting for quota is not a retry:
with a governor, every request first waits its turn with the rest of the fleet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

import requests

from pipeline.integrations.bigcommerce import pagination
from pipeline.integrations.bigcommerce.errors import (
    BigCommerceUnavailable,
    from_response,
    from_transport,
    header_retry_after,
)
from pipeline.integrations.bigcommerce.governor import RateGovernor

PAGE_LIMIT = 250
ORDER_INCLUDES = ("consignments.line_items", "fees")
# `order_id:in` lists are cut to keep URLs short; one order page's ids fit in one call.
ORDER_IDS_PER_CALL = PAGE_LIMIT
USER_AGENT = "bcrm/0.1 (BigCommerce records archiver)"


class BigCommerceClient:
    """REST Management API of one store: `base_url` is `https://api.bigcommerce.com/stores/
    {store_hash}` (or an emulator's), without `/v2` or `/v3`."""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        governor: RateGovernor | None,
        timeout_s: float = 30.0,
        session: requests.Session | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.governor = governor
        self.timeout_s = timeout_s
        self.session = session or requests.Session()
        self.session.verify = verify
        self.session.headers.update(
            {
                "X-Auth-Token": access_token,
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        """One call through the governor; the JSON answer, or None for 204 No Content."""
        route = f"{method} {path}"
        ticket = self.governor.acquire() if self.governor is not None else 0
        response: requests.Response | None = None
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                timeout=self.timeout_s,
            )
        except requests.RequestException as error:
            raise from_transport(error, route) from error
        finally:
            pause = self._observe(ticket, response)
        if response.status_code >= 400:
            advised = header_retry_after(response.headers, response.status_code)
            waits = [w for w in (pause, advised) if w is not None]
            raise from_response(response, route, max(waits) if waits else None)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json(parse_float=Decimal)
        except ValueError as error:
            raise BigCommerceUnavailable(f"{route}: answer is not JSON") from error

    def _observe(self, ticket: int, response: requests.Response | None) -> float | None:
        if self.governor is None:
            return None
        if response is None:
            return self.governor.observe(ticket, {}, None)
        return self.governor.observe(ticket, response.headers, response.status_code)

    def get_v2(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", "/v2" + path, params=params)

    def iter_v2(
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int = PAGE_LIMIT
    ) -> Iterator[dict[str, Any]]:
        return pagination.v2_rows(lambda p: self.get_v2(path, p), params or {}, limit)

    def get_v3(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The `data` of a v3 answer (None for 204); `iter_v3` when the list has pages."""
        body = self.request("GET", "/v3" + path, params=params)
        return None if body is None else body.get("data")

    def iter_v3(
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int = PAGE_LIMIT
    ) -> Iterator[dict[str, Any]]:
        url = "/v3" + path
        return pagination.v3_rows(lambda p: self.request("GET", url, params=p), params or {}, limit)

    # -- orders v2 -------------------------------------------------------------------

    def iter_orders(
        self,
        *,
        min_date_modified: datetime | None = None,
        max_date_modified: datetime | None = None,
        include: Sequence[str] = ORDER_INCLUDES,
        sort: str = "date_modified:asc",
        limit: int = PAGE_LIMIT,
        **filters: Any,
    ) -> Iterator[dict[str, Any]]:
        """Orders with their consignments, line items and fees: one call per `limit` orders
        instead of three per order (reference §4.2 `include`). Bounds are inclusive."""
        params = {
            **filters,
            "min_date_modified": _iso(min_date_modified),
            "max_date_modified": _iso(max_date_modified),
            "include": ",".join(include) or None,
            "sort": sort,
        }
        return self.iter_v2("/orders", _present(params), limit=limit)

    def get_order(self, order_id: int, include: Sequence[str] = ORDER_INCLUDES) -> dict[str, Any]:
        return self.get_v2(f"/orders/{order_id}", _present({"include": ",".join(include)}))

    def order_products(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v2(f"/orders/{order_id}/products"))

    def order_shipping_addresses(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v2(f"/orders/{order_id}/shipping_addresses"))

    def order_shipments(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v2(f"/orders/{order_id}/shipments"))

    def order_coupons(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v2(f"/orders/{order_id}/coupons"))

    def order_messages(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v2(f"/orders/{order_id}/messages"))

    def order_taxes(self, order_id: int, *, details: bool = True) -> list[dict[str, Any]]:
        """One row per line item with `details` (what a tax breakdown prints)."""
        params = {"details": "true"} if details else {}
        return list(self.iter_v2(f"/orders/{order_id}/taxes", params))

    # -- orders v3: transactions and refunds -----------------------------------------

    def order_transactions(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v3(f"/orders/{order_id}/transactions"))

    def order_refunds(self, order_id: int) -> list[dict[str, Any]]:
        return list(self.iter_v3(f"/orders/{order_id}/payment_actions/refunds"))

    def iter_refunds(
        self,
        *,
        created_min: datetime | None = None,
        created_max: datetime | None = None,
        order_ids: Iterable[int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Store-wide refunds by refund id: a page of 250 serves many orders at once."""
        params = _present({"created:min": _iso(created_min), "created:max": _iso(created_max)})
        if order_ids is None:
            yield from self.iter_v3("/orders/payment_actions/refunds", params)
            return
        ids = sorted(set(order_ids))
        for start in range(0, len(ids), ORDER_IDS_PER_CALL):
            chunk = ",".join(map(str, ids[start : start + ORDER_IDS_PER_CALL]))
            yield from self.iter_v3(
                "/orders/payment_actions/refunds", {**params, "order_id:in": chunk}
            )

    # -- disclosures: pages, legal settings, consent (reference §8) ---------------------

    def iter_channels(self) -> Iterator[dict[str, Any]]:
        return self.iter_v3("/channels")

    def iter_pages(self, channel_id: int) -> Iterator[dict[str, Any]]:
        """Every content page of a channel, with its body (only sent when asked for)."""
        return self.iter_v3("/content/pages", {"channel_id": channel_id, "include": "body"})

    def checkout_settings(self, channel_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self.get_v3(f"/checkouts/settings/channels/{channel_id}")
        return data

    def customer_settings(self, channel_id: int | None = None) -> dict[str, Any]:
        """Store-wide customer settings, or a channel's (`channel_id`)."""
        path = "/customers/settings"
        path += "" if channel_id is None else f"/channels/{channel_id}"
        data: dict[str, Any] = self.get_v3(path)
        return data

    def customer_consent(self, customer_id: int) -> dict[str, Any]:
        """`{allow, deny, updated_at}`; `updated_at` is the time of this call, not of the
        customer's choice (reference §8). The answer is the bare object, no `data`."""
        body: dict[str, Any] = self.request("GET", f"/v3/customers/{customer_id}/consent")
        return body

    # -- store and webhooks ----------------------------------------------------------

    def store_information(self) -> dict[str, Any]:
        return self.get_v2("/store")

    def iter_hooks(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Hooks of the API account behind this token only (reference §9.1)."""
        return self.iter_v3("/hooks", filters)

    def create_hook(
        self,
        scope: str,
        destination: str,
        *,
        headers: Mapping[str, str] | None = None,
        is_active: bool = True,
    ) -> dict[str, Any]:
        body = {
            "scope": scope,
            "destination": destination,
            "is_active": is_active,
            "headers": dict(headers or {}),
        }
        return self.request("POST", "/v3/hooks", body=body)["data"]


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 with offset, which v2 and v3 filters both take; a naive datetime would be
    read in the store's zone, so it is refused."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("date filters need an aware datetime")
    return moment.isoformat()


def _present(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None and v != ""}
