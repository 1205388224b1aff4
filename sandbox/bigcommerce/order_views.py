"""Orders v2 as the wire shows them: money as 4-decimal strings, RFC 2822 dates, `{url,
resource}` links to sub-resources, consignments and fees only when included."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .formats import money4, rfc2822
from .model import STATUS_NAMES, Order, OrderAddress, OrderProduct
from .order_ops import COUNTRY_BY_ISO
from .state import Store


def link(store: Store, resource: str) -> dict[str, str]:
    return {"url": f"{store.base_url}/v2{resource}", "resource": resource}


def render_order(store: Store, o: Order, includes: set[str] = frozenset()) -> dict[str, Any]:
    tax_inclusive = False
    country = COUNTRY_BY_ISO.get(o.billing.get("country_iso2", ""))
    body: dict[str, Any] = {
        "id": o.id,
        "customer_id": o.customer_id,
        "date_created": rfc2822(o.created),
        "date_modified": rfc2822(o.modified),
        "date_shipped": rfc2822(o.shipped),
        "status_id": o.status_id,
        "status": STATUS_NAMES[o.status_id],
        "custom_status": STATUS_NAMES[o.status_id],
        "subtotal_ex_tax": money4(o.subtotal_ex),
        "subtotal_inc_tax": money4(o.subtotal_ex + o.subtotal_tax),
        "subtotal_tax": money4(o.subtotal_tax),
        "base_shipping_cost": money4(o.shipping_ex),
        "shipping_cost_ex_tax": money4(o.shipping_ex),
        "shipping_cost_inc_tax": money4(o.shipping_ex + o.shipping_tax),
        "shipping_cost_tax": money4(o.shipping_tax),
        "shipping_cost_tax_class_id": 2,
        "base_handling_cost": money4(o.handling_ex),
        "handling_cost_ex_tax": money4(o.handling_ex),
        "handling_cost_inc_tax": money4(o.handling_ex),
        "handling_cost_tax": money4(0),
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": money4(o.wrapping_ex),
        "wrapping_cost_ex_tax": money4(o.wrapping_ex),
        "wrapping_cost_inc_tax": money4(o.wrapping_ex),
        "wrapping_cost_tax": money4(0),
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": money4(o.total_ex),
        "total_inc_tax": money4(o.total_inc),
        "total_tax": money4(o.total_tax),
        "items_total": o.items_total,
        "items_shipped": o.items_shipped,
        "payment_method": o.payment_method,
        "payment_provider_id": o.payment_method.lower().replace(" ", "") or None,
        "payment_status": o.payment_status,
        "refunded_amount": money4(o.refunded),
        "order_is_digital": o.is_digital,
        "store_credit_amount": money4(o.store_credit),
        "gift_certificate_amount": money4(o.gift_certificate),
        "ip_address": o.ip_address,
        "ip_address_v6": "",
        "geoip_country": country.name if country else "",
        "geoip_country_iso2": country.iso2 if country else "",
        "currency_id": 1,
        "currency_code": o.currency,
        "currency_exchange_rate": f"{o.exchange_rate:.10f}",
        "default_currency_id": 1,
        "default_currency_code": o.currency,
        "store_default_currency_code": "USD",
        "store_default_to_transactional_exchange_rate": f"{o.exchange_rate:.10f}",
        "staff_notes": o.staff_notes,
        "customer_message": o.customer_message,
        # The spec's example order subtracts both from its total (orders.v2.oas2.yml,
        # getOrder: 5.00 + 5.00 off): `discount` holds all of it, the coupon's part included.
        "discount_amount": money4(o.discount - o.coupon_discount),
        "coupon_discount": money4(o.coupon_discount),
        "shipping_address_count": len(o.addresses),
        "is_deleted": o.is_deleted,
        "ebay_order_id": "0",
        "cart_id": o.cart_id,
        "billing_address": render_billing(o),
        "is_email_opt_in": False,
        "credit_card_type": None,
        "order_source": o.order_source,
        "channel_id": o.channel_id,
        "external_source": None,
        "external_id": o.external_id or None,
        "external_merchant_id": None,
        "external_order_id": o.external_id,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": o.locale,
        "is_tax_inclusive_pricing": tax_inclusive,
        "products": link(store, f"/orders/{o.id}/products"),
        "shipping_addresses": link(store, f"/orders/{o.id}/shipping_addresses"),
        "coupons": link(store, f"/orders/{o.id}/coupons"),
        **o.raw_fields,
    }
    if "consignments" in includes or "consignments.line_items" in includes:
        structure = render_consignments(store, o, "consignments.line_items" in includes)
        body["consignments"] = structure
    if "fees" in includes:
        body["fees"] = [render_fee(f) for f in o.fees]
    return body


def render_billing(o: Order) -> dict[str, Any]:
    """The billing address with its custom fields (`form_fields`, orders.v2.oas2.yml
    billingAddress_Resp): what checkout collected, `[]` when nothing."""
    return {"form_fields": [], **o.billing}


def render_product(p: OrderProduct) -> dict[str, Any]:
    return {
        "id": p.id,
        "order_id": p.order_id,
        "product_id": p.product_id,
        "variant_id": p.variant_id,
        "order_address_id": p.order_address_id,
        "name": p.name,
        "name_customer": p.name,
        "name_merchant": p.name,
        "sku": p.sku,
        "upc": "",
        "type": p.type,
        "base_price": money4(p.price_ex),
        "price_ex_tax": money4(p.price_ex),
        "price_inc_tax": money4(p.price_inc),
        "price_tax": money4(p.price_tax),
        "base_total": money4(p.price_ex * p.quantity),
        "total_ex_tax": money4(p.price_ex * p.quantity),
        "total_inc_tax": money4(p.price_inc * p.quantity),
        "total_tax": money4(p.price_tax * p.quantity),
        "quantity": p.quantity,
        "base_cost_price": money4(0),
        "cost_price_inc_tax": money4(0),
        "cost_price_ex_tax": money4(0),
        "weight": "0.0000",
        "cost_price_tax": money4(0),
        "is_refunded": p.quantity_refunded >= p.quantity,
        "quantity_refunded": p.quantity_refunded,
        "refund_amount": money4(p.refund_amount),
        "return_id": 0,
        "wrapping_name": "",
        "base_wrapping_cost": money4(0),
        "wrapping_cost_ex_tax": money4(0),
        "wrapping_cost_inc_tax": money4(0),
        "wrapping_cost_tax": money4(0),
        "wrapping_message": "",
        "quantity_shipped": p.quantity_shipped,
        "event_name": None,
        "event_date": "",
        "fixed_shipping_cost": money4(0),
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": "",
        "external_id": None,
        "brand": "",
        "applied_discounts": [{**d, "amount": money4(d["amount"])} for d in p.discounts],
        "product_options": p.options,
        "configurable_fields": [],
        "gift_certificate_id": None,
        "discounted_total_inc_tax": money4(p.price_inc * p.quantity - p.discount_inc),
        **p.raw_fields,
    }


def render_address(store: Store, o: Order, a: OrderAddress) -> dict[str, Any]:
    items = [i for i in o.items if i.order_address_id == a.id]
    return {
        "id": a.id,
        "order_id": a.order_id,
        **a.address,
        "form_fields": [],
        "items_total": sum(i.quantity for i in items),
        "items_shipped": sum(i.quantity_shipped for i in items),
        "shipping_method": a.shipping_method,
        "base_cost": money4(a.cost_ex),
        "cost_ex_tax": money4(a.cost_ex),
        "cost_inc_tax": money4(a.cost_ex + a.cost_tax),
        "cost_tax": money4(a.cost_tax),
        "cost_tax_class_id": 2,
        "base_handling_cost": money4(0),
        "handling_cost_ex_tax": money4(0),
        "handling_cost_inc_tax": money4(0),
        "handling_cost_tax": money4(0),
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": a.zone_id,
        "shipping_zone_name": a.zone_name,
        "shipping_quotes": link(store, f"/orders/{o.id}/shipping_addresses/{a.id}/shipping_quotes"),
    }


def render_shipment(o: Order, s: dict[str, Any]) -> dict[str, Any]:
    address = next((a for a in o.addresses if a.id == s["order_address_id"]), None)
    return {
        **s,
        "date_created": rfc2822(s["date_created"]),
        "generated_tracking_link": s["tracking_link"],
        "shipping_provider_display_name": s["shipping_provider"].upper(),
        "merchant_shipping_cost": money4(0),
        "billing_address": render_billing(o),
        "shipping_address": dict(address.address) if address else {},
    }


def render_coupon(c: dict[str, Any]) -> dict[str, Any]:
    return {**c, "discount": money4(c["discount"]), "amount": money4(c["amount"] * 100)}


def render_fee(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "type": f["type"],
        "display_name_customer": f["display_name_customer"],
        "display_name_merchant": f["display_name_merchant"],
        "source": f["source"],
        "base_cost": money4(f["cost_ex"]),
        "cost_ex_tax": money4(f["cost_ex"]),
        "cost_inc_tax": money4(f["cost_ex"] + f["cost_tax"]),
        "cost_tax": money4(f["cost_tax"]),
        "tax_class_id": f["tax_class_id"],
    }


def render_message(o: Order, m: dict[str, Any], store: Store) -> dict[str, Any]:
    customer = store.customers.get(o.customer_id)
    who = {
        "id": o.customer_id,
        "email": o.email,
        "first_name": o.billing.get("first_name", ""),
        "last_name": o.billing.get("last_name", ""),
        "company": o.billing.get("company", ""),
        "phone": o.billing.get("phone", ""),
    }
    if customer:
        who["id"] = customer["id"]
    return {**m, "date_created": rfc2822(m["date_created"]), "customer": who}


def tax_rows(o: Order, details: bool) -> list[dict[str, Any]]:
    """Per line item with `details=true`; otherwise one row per address and line type."""
    country = COUNTRY_BY_ISO.get(o.billing.get("country_iso2", ""))
    rate_id = 1 + (list(COUNTRY_BY_ISO).index(country.iso2) if country else 0)
    name = f"{country.name if country else 'Sales'} Tax"
    lines: list[tuple[int, str, int | None, int]] = [
        (i.order_address_id, "item", i.id, i.price_tax * i.quantity) for i in o.items
    ] + [(a.id, "shipping", None, a.cost_tax) for a in o.addresses]
    if not details:
        grouped: defaultdict[tuple[int, str], int] = defaultdict(int)
        for address_id, kind, _, amount in lines:
            grouped[(address_id, kind)] += amount
        lines = [(aid, kind, None, amount) for (aid, kind), amount in grouped.items()]
    return [
        {
            "id": n + 1,
            "order_id": o.id,
            "order_address_id": address_id,
            "tax_rate_id": rate_id,
            "tax_class_id": 0,
            "name": name,
            "class": "Default Tax Class",
            "rate": f"{o.tax_rate * 100:.4f}",
            "priority": 0,
            "priority_amount": money4(amount),
            "line_amount": money4(amount),
            "line_item_type": kind,
            "order_product_id": product_id,
        }
        for n, (address_id, kind, product_id, amount) in enumerate(lines)
    ]


def render_consignments(store: Store, o: Order, with_items: bool) -> dict[str, Any]:
    """Consignment object: shipping (per address, with line items when included),
    downloads for digital lines, no pickups or e-mailed gift certificates."""

    def items_for(address_id: int) -> list[dict[str, Any]] | dict[str, str]:
        if not with_items:
            return link(store, f"/orders/{o.id}/products")
        return [render_product(i) for i in o.items if i.order_address_id == address_id]

    shipping = [{**render_address(store, o, a), "line_items": items_for(a.id)} for a in o.addresses]
    digital = [i for i in o.items if i.type == "digital"]
    downloads = (
        [{"id": 0, "recipient_email": o.email, "line_items": items_for(0)}] if digital else []
    )
    return {
        "pickups": [],
        "shipping": shipping,
        "downloads": downloads,
        "email": {"gift_certificates": []},
    }
