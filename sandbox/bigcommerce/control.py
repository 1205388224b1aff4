"""The shopper/merchant/operator actions behind the admin API and the Python API.

Every method runs on the emulator's event loop (the Python API hops onto it), so actions
and API requests never interleave half-way, and each action fires the same webhooks the
real store would.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from . import content, order_ops, price_log, promotions
from .app import Runtime
from .auth import ALL_SCOPES, new_token
from .catalog import commit_product, get_product, update_variant_fields, validated
from .delivery import WebhookDispatcher
from .errors import ApiError
from .faults import Faults
from .filters import public
from .model import Order
from .order_views import render_message, render_order, render_shipment
from .price_log import CONTROL_PANEL
from .refund_ops import apply_refund
from .refunds import parse_items, render_refund


class Control:
    def __init__(self, runtime: Runtime, dispatcher: WebhookDispatcher) -> None:
        self.rt = runtime
        self.store = runtime.store
        self.dispatcher = dispatcher

    def _order(self, order_id: int) -> Order:
        order = self.store.orders.get(int(order_id))
        if order is None:
            raise ApiError(404, f"Order {order_id} does not exist.")
        return order

    def place_order(
        self,
        *,
        products: list[dict[str, Any]],
        customer_id: int = 0,
        billing_address: dict[str, Any] | None = None,
        shipping_addresses: list[dict[str, Any]] | None = None,
        status_id: int = 11,
        payment_method: str = "Credit Card",
        overrides: dict[str, Any] | None = None,
        promotion_id: int | None = None,
        coupon_code: str | None = None,
    ) -> dict[str, Any]:
        """A shopper checks out; fires cart/converted, order/created, transaction/created.
        An automatic `promotion_id` and/or a `coupon_code` discount the lines and count a
        use (`discounts`).

        `overrides` (on the order, and on each product line) are wire fields shown as-is
        from then on: the odd data imports and apps leave in real stores, for poison tests.
        """
        raw = _raw_fields(overrides)
        raw_lines = [
            _raw_fields(line.get("overrides") if isinstance(line, dict) else None)
            for line in products
        ]
        order = order_ops.place_order(
            self.store,
            customer_id=customer_id,
            lines=products,
            billing=billing_address,
            shipping=shipping_addresses,
            status_id=status_id,
            payment_method=payment_method,
            discounts={"promotion_id": promotion_id, "coupon_code": coupon_code},
        )
        order.raw_fields = raw
        for item, fields in zip(order.items, raw_lines, strict=True):
            item.raw_fields = fields
        return render_order(self.store, order)

    def set_status(self, order_id: int, status_id: int) -> dict[str, Any]:
        order = self._order(order_id)
        order_ops.set_status(self.store, order, int(status_id))
        return render_order(self.store, order)

    def ship(
        self,
        order_id: int,
        *,
        order_address_id: int | None = None,
        items: list[dict[str, int]] | None = None,
        tracking_number: str = "1Z999AA1",
        tracking_carrier: str = "ups",
        comments: str = "",
    ) -> dict[str, Any]:
        order = self._order(order_id)
        shipment = order_ops.ship(
            self.store,
            order,
            order_address_id=order_address_id,
            items=items,
            tracking_number=tracking_number,
            tracking_carrier=tracking_carrier,
            comments=comments,
        )
        return render_shipment(order, shipment)

    def refund(
        self,
        order_id: int,
        *,
        amount: float | None = None,
        items: list[dict[str, Any]] | None = None,
        reason: str = "",
    ) -> dict[str, Any]:
        """Refund `items` (refund API shape), or `amount` at order level, or what is left."""
        order = self._order(order_id)
        if items:
            requested, reasons = parse_items({"items": items})
        else:
            cents = order.total_inc - order.refunded if amount is None else round(amount * 100)
            requested, reasons = [("ORDER", order.id, None, cents)], []
        refund = apply_refund(self.store, order, requested, reasons=reasons, reason=reason)
        return render_refund(refund)

    def post_message(
        self, order_id: int, message: str, *, subject: str = "", from_customer: bool = True
    ) -> dict[str, Any]:
        order = self._order(order_id)
        msg = order_ops.post_message(
            self.store, order, message, subject=subject, from_customer=from_customer
        )
        return render_message(order, msg, self.store)

    def edit_page(self, page_id: int, **changes: Any) -> dict[str, Any]:
        return dict(content.edit_page(self.store, int(page_id), changes))

    def edit_page_silently(self, page_id: int, **changes: Any) -> dict[str, Any]:
        """Edit a page as staff would, but let its webhook be lost: the change shows in the
        disclosure log and to pollers, never to webhook receivers."""
        return dict(content.edit_page(self.store, int(page_id), changes, notify=False))

    def disclosure_changes(self) -> list[dict[str, Any]]:
        """The true history of pages, checkout terms and privacy settings, oldest first."""
        return [dict(entry) for entry in self.store.disclosure_log]

    def change_price(
        self,
        product_id: int,
        price: float | None = None,
        *,
        sale_price: float | None = None,
        variant_id: int | None = None,
    ) -> dict[str, Any]:
        """A merchant reprices a product (or one variant) in the control panel: `price`,
        `sale_price` or both; fires product/ or sku/updated and logs the change with
        source `control_panel` (see `price_log`)."""
        product = get_product(self.store, int(product_id))
        changes = {
            key: value
            for key, value in (("price", price), ("sale_price", sale_price))
            if value is not None
        }
        if not changes:
            raise ApiError(400, "Give a price, a sale_price or both.")
        if variant_id is not None:
            variant = self.store.variants.get(int(variant_id))
            if variant is None or variant["product_id"] != product["id"]:
                raise ApiError(404, f"Variant {variant_id} is not on product {product_id}.")
            return dict(update_variant_fields(self.store, variant, changes, CONTROL_PANEL))
        updated = commit_product(
            self.store, validated(self.store, product, changes), source=CONTROL_PANEL
        )
        return public(updated)

    def price_history(
        self, product_id: int | None = None, variant_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The store's true price changes, oldest first (test-only, see `price_log`)."""
        return price_log.history(
            self.store,
            None if product_id is None else int(product_id),
            None if variant_id is None else int(variant_id),
        )

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the store's clock forward (never back): days of price history in a test
        that runs for seconds. Returns the store's time now."""
        if seconds < 0:
            raise ApiError(400, "The clock only moves forward.")
        clock, shift = self.store.clock, float(seconds)
        self.store.clock = lambda: clock() + shift
        return {"now": self.store.now()}

    def create_promotion(self, created_from: str = "api", **body: Any) -> dict[str, Any]:
        """A promotion made outside the app's API: `created_from` says where (the control
        panel is `react_ui`, promotions.v3.yml), which the API itself never lets a client
        set."""
        created = promotions.create(self.store, body)
        created["created_from"] = created_from
        return promotions.render(self.store, created)

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Replace the fault configuration (an empty call clears every fault)."""
        try:
            self.rt.faults = Faults.from_dict(settings)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        return self.rt.faults.to_dict()

    def faults(self) -> dict[str, Any]:
        return self.rt.faults.to_dict()

    def set_rate_limit(self, quota: int | None, window_ms: int = 30_000) -> dict[str, Any]:
        self.rt.limiter.configure(quota, int(window_ms))
        return {"quota": self.rt.limiter.quota, "window_ms": self.rt.limiter.window_ms}

    def applied_writes(self) -> list[dict[str, Any]]:
        """Every write the API applied, oldest first (`write_log`): what "applied once" is
        proved from."""
        return self.rt.writes.listing()

    def clear_applied_writes(self) -> dict[str, int]:
        self.rt.writes.clear()
        return {"total": 0}

    def request_counters(self) -> dict[str, int]:
        counts = dict(self.rt.counters)
        counts["total"] = sum(self.rt.counters.values())
        return counts

    def refusal_counters(self) -> dict[str, int]:
        """Refused API requests by cause: `quota standard|headerless|as_500` (the store's
        clients exhausted the window, answered per the fault mode) or `injected <status>`."""
        return dict(self.rt.refusals)

    def reset_counters(self) -> dict[str, int]:
        self.rt.counters.clear()
        self.rt.refusals.clear()
        return {"total": 0}

    def add_token(
        self, scopes: list[str] | None = None, client_secret: str | None = None
    ) -> dict[str, Any]:
        """A new API account; hooks it creates are signed when it has a client secret."""
        wanted = set(scopes) if scopes is not None else set(ALL_SCOPES)
        known = ALL_SCOPES | {f"{s}_read_only" for s in ALL_SCOPES}
        if wanted - known:
            raise ApiError(400, f"Unknown scopes: {sorted(wanted - known)}")
        token = new_token(wanted, client_secret=client_secret)
        self.store.tokens[token.access_token] = token
        return {
            "access_token": token.access_token,
            "client_id": token.client_id,
            "scopes": sorted(token.scopes),
        }

    def webhook_attempts(self) -> list[dict[str, Any]]:
        return [{**asdict(a), "ok": a.ok} for a in self.dispatcher.attempts]

    def webhook_notifications(self) -> list[dict[str, Any]]:
        return list(self.dispatcher.notifications)

    def webhooks_pending(self) -> int:
        return self.dispatcher.pending


def _raw_fields(overrides: Any) -> dict[str, Any]:
    """Overrides as stored: any JSON value under any field name but `id`, which routes."""
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise ApiError(400, "The field 'overrides' must be an object.")
    if "id" in overrides:
        raise ApiError(400, "The field 'id' cannot be overridden.")
    return dict(overrides)
