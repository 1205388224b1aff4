"""Deterministic seed data: the same `seed` always yields the same store.

Orders carry the mix a real store accumulates (all statuses, guests, multi-address
consignments, digital items, coupons, taxes, fees, shipments, refunds, messages), dated over
the two years before `SEED_END` so seeded data never depends on the wall clock. Everything is
drawn from one `random.Random(seed)`; 10,000 orders take about a second.
"""

from __future__ import annotations

import random
from typing import Any

from . import order_ops
from .formats import iso8601
from .model import Order
from .products import add_variant, blank_product
from .refund_ops import apply_refund
from .seed_data import (
    COUNTRIES,
    EDGE_COMPANIES,
    OPTION_VALUES,
    PAYMENT_METHODS,
    PRODUCT_LINES,
    STATUS_WEIGHTS,
    Country,
)
from .seed_disclosures import seed_disclosures
from .seed_marketing import seed_marketing
from .state import Store

SEED_END = 1767225600  # 2026-01-01T00:00:00Z
SEED_SPAN = 2 * 365 * 86400
SHIPPED_STATUSES = {2, 3, 10, 4, 14}


def seed_store(store: Store, *, orders: int, seed: int) -> None:
    rng = random.Random(seed)
    seed_catalog(store, rng)
    seed_customers(store, rng, max(20, orders // 4))
    seed_marketing(store, rng, SEED_END)
    seed_orders(store, rng, orders)
    seed_disclosures(store)
    for kind, table in (
        ("customer", store.customers),
        ("product", store.products),
        ("variant", store.variants),
        ("order", store.orders),
        ("refund", store.refunds),
        ("page", store.pages),
    ):
        store.bump_ids(kind, max(table, default=0))


def product_gtin(product_id: int) -> str:
    """A GTIN-13 per product (prefix 40, GS1 Germany), apart from its UPC: the recall
    resolver must find a product by either. Not drawn from `rng`, so the rest of the
    seeded store stays as it was."""
    return f"40{product_id:011d}"


def variant_gtin(variant_id: int) -> str:
    """A GTIN-13 per option variant (prefix 41); a product without options has only its
    base variant, whose identifiers are the product's."""
    return f"41{variant_id:011d}"


def seed_catalog(store: Store, rng: random.Random) -> None:
    """Ten product lines in several editions each; options expand into SKU'd variants."""
    for edition in range(1, 13):
        for stem, name, ptype, price, options in PRODUCT_LINES:
            pid = store.next_id("product")
            created = SEED_END - SEED_SPAN - rng.randrange(86400 * 90)
            modified = created + rng.randrange(SEED_SPAN)
            sku = f"{stem}-{edition:03d}"
            cents = price + edition * 100
            product = blank_product(pid, iso8601(created))
            product.update(
                {
                    "name": f"{name} — Edition {edition}",
                    "type": ptype,
                    "sku": sku,
                    "description": f"<p>{name}, edition {edition}.</p>",
                    "weight": 0 if ptype == "digital" else round(0.2 + edition / 10, 2),
                    "price": cents / 100,
                    "cost_price": round(cents * 0.4) / 100,
                    "retail_price": round(cents * 1.2) / 100,
                    "calculated_price": cents / 100,
                    "categories": [18 + [line[0] for line in PRODUCT_LINES].index(stem)],
                    "brand_id": 35 + edition % 3,
                    "inventory_level": rng.randrange(0, 500),
                    "inventory_warning_level": 5,
                    "inventory_tracking": "variant" if options else "product",
                    "is_visible": edition != 12,
                    "is_featured": edition == 1,
                    "is_free_shipping": ptype == "digital",
                    "availability": "disabled"
                    if edition == 12
                    else ("preorder" if edition == 11 else "available"),
                    "upc": f"0{rng.randrange(10**10, 10**11)}",
                    "mpn": f"MPN-{sku}",
                    "gtin": product_gtin(pid),
                    "custom_url": {"url": f"/{stem.lower()}-{edition}/", "is_customized": False},
                    "date_modified": iso8601(modified),
                    "total_sold": rng.randrange(0, 2000),
                }
            )
            store.products[pid] = product
            combos: list[list[tuple[str, str]]] = [[]]
            for option in options:
                combos = [[*c, (option, v)] for c in combos for v in OPTION_VALUES[option]]
            for combo in combos:
                variant = add_variant(store, product, combo)
                if combo:
                    variant.update(
                        {"gtin": variant_gtin(variant["id"]), "mpn": f"MPN-{variant['sku']}"}
                    )
            if not options:
                product["base_variant_id"] = product["_variant_ids"][0]


def _person(rng: random.Random, country: Country) -> dict[str, Any]:
    first, last = rng.choice(country.people)
    city, state, zip_code = rng.choice(country.places)
    return {
        "first_name": first,
        "last_name": last,
        "company": rng.choice(EDGE_COMPANIES),
        "street_1": f"{rng.randrange(1, 400)} {rng.choice(country.streets)}",
        "street_2": rng.choice(("", "", "Apt 4B", "c/o Reception")),
        "city": city,
        "state": state,
        "zip": zip_code,
        "country": country.name,
        "country_iso2": country.iso2,
        "phone": f"{country.phone_prefix} {rng.randrange(10**8, 10**9)}",
    }


def seed_customers(store: Store, rng: random.Random, count: int) -> None:
    for n in range(count):
        country = COUNTRIES[n % len(COUNTRIES)] if n < 16 else rng.choice(COUNTRIES)
        cid = store.next_id("customer")
        person = _person(rng, country)
        email = f"customer{cid}@example.{country.iso2.lower()}"
        created = SEED_END - SEED_SPAN - 86400 * rng.randrange(1, 400)
        store.customers[cid] = {
            "id": cid,
            "email": email,
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "company": person["company"],
            "phone": person["phone"],
            "locale": country.locale,
            "date_created": created,
            "date_modified": created,
            "addresses": [person, _person(rng, country)],
        }
        if rng.random() < 0.6:
            allow = ["essential", "functional"] + (["analytics"] if rng.random() < 0.5 else [])
            store.consents[cid] = {
                "allow": allow,
                "deny": [c for c in ("functional", "analytics", "targeting") if c not in allow],
                "updated_at": SEED_END - rng.randrange(SEED_SPAN),
            }


def seed_orders(store: Store, rng: random.Random, count: int) -> None:
    statuses = [s for s, _ in STATUS_WEIGHTS]
    status_weights = [w for _, w in STATUS_WEIGHTS]
    methods = [m for m, _, _ in PAYMENT_METHODS]
    method_weights = [w for _, _, w in PAYMENT_METHODS]
    customer_ids = list(store.customers)
    variants_by_type: dict[str, list[dict[str, Any]]] = {"physical": [], "digital": []}
    for variant in store.variants.values():
        product = store.products[variant["product_id"]]
        if product["availability"] != "disabled":
            variants_by_type[product["type"]].append(variant)
    # One billing dict per customer, shared by their orders (never mutated in place).
    billings: dict[int, dict[str, Any]] = {}
    step = SEED_SPAN / max(count, 1)
    for n in range(count):
        created = int(SEED_END - SEED_SPAN + n * step + rng.random() * step)
        status_id = rng.choices(statuses, status_weights)[0]
        registered = rng.random() < 0.75
        if registered:
            customer = store.customers[rng.choice(customer_ids)]
            country = next(
                c for c in COUNTRIES if c.iso2 == customer["addresses"][0]["country_iso2"]
            )
            billing = billings.setdefault(
                customer["id"], {**customer["addresses"][0], "email": customer["email"]}
            )
        else:
            customer = None
            country = rng.choice(COUNTRIES)
            billing = {**_person(rng, country), "email": f"guest{n}@example.net"}
        billing = _with_vat_number(billing, country, n)
        count_lines = rng.choice((1, 1, 2, 2, 3, 4))
        # 8% all-digital orders, 7% mixed (first line digital), the rest physical.
        kind = rng.random()
        digital = count_lines if kind < 0.08 else (1 if kind < 0.15 else 0)
        lines = [
            (
                rng.choice(variants_by_type["digital" if k < digital else "physical"]),
                rng.choice((1, 1, 1, 2, 3)),
            )
            for k in range(count_lines)
        ]
        order = _seed_order(
            store,
            rng,
            customer,
            country,
            billing,
            lines,
            status_id,
            created,
            rng.choices(methods, method_weights)[0],
        )
        store.add_order(order)


# EU business buyers give their VAT number in a custom billing address field (BigCommerce
# has none for it); one in five EU orders billed to a company does, without drawing from
# the seed's random stream, so every other seeded fact stays what it was.
VAT_NUMBER_FORMATS = {"DE": "DE{:09d}", "FR": "FR{:011d}", "NL": "NL{:09d}B01"}


def _with_vat_number(billing: dict[str, Any], country: Country, n: int) -> dict[str, Any]:
    pattern = VAT_NUMBER_FORMATS.get(country.iso2)
    if pattern is None or not billing.get("company") or n % 5:
        return billing
    number = pattern.format(100_000_000 + n * 7_919)
    return {**billing, "form_fields": [{"name": "VAT number", "value": number}]}


def _seed_order(
    store: Store,
    rng: random.Random,
    customer: dict[str, Any] | None,
    country: Country,
    billing: dict[str, Any],
    lines: list[tuple[dict[str, Any], int]],
    status_id: int,
    created: int,
    payment_method: str,
) -> Order:
    order_id = store.next_id("order")
    ship_to = [billing] if rng.random() > 0.08 else [billing, _person(rng, country)]
    addresses = [
        order_ops.make_address(store, order_id, a, country.currency, country.tax_rate)
        for a in ship_to
    ]
    items = order_ops.make_items(
        store, order_id, lines, country.currency, country.tax_rate, [a.id for a in addresses]
    )
    if all(i.type == "digital" for i in items):
        addresses = []
    order = Order(
        id=order_id,
        customer_id=customer["id"] if customer else 0,
        status_id=status_id,
        created=created,
        modified=created,
        currency=country.currency,
        exchange_rate=country.rate,
        billing=billing,
        payment_method=payment_method,
        payment_status=order_ops.payment_status_for(status_id),
        items=items,
        addresses=addresses,
        tax_rate=country.tax_rate,
        locale=country.locale,
        ip_address=f"203.0.113.{rng.randrange(1, 255)}",
        cart_id=f"{rng.getrandbits(128):032x}",
        channel_id=1 if rng.random() < 0.9 else 2,
        external_id=f"EXT-{order_id}" if rng.random() < 0.03 else "",
        order_source="www" if rng.random() < 0.95 else "external",
        customer_message=rng.choice(
            ("", "", "", "Please leave at the door 🚪", "プレゼント用に包装してください")
        ),
    )
    if rng.random() < 0.15:
        _apply_coupon(store, order)
    if rng.random() < 0.05:
        cost = order_ops.convert(250, order.currency)
        order.fees.append(
            {
                "id": store.next_id("fee"),
                "type": "custom_fee",
                "display_name_customer": "Eco packaging",
                "display_name_merchant": "eco_fee",
                "source": "API",
                "cost_ex": cost,
                "cost_tax": round(cost * order.tax_rate),
                "tax_class_id": 0,
            }
        )
    ts = created
    if order.payment_status in order_ops.PAID_STATUSES | {"refunded"}:
        order_ops.transaction(store, order, "purchase", order.total_inc, created + 5)
    if status_id in SHIPPED_STATUSES and addresses:
        ts = created + rng.randrange(3600, 5 * 86400)
        carrier = rng.choice(country.carriers)
        for address in addresses if status_id != 3 else addresses[:1]:
            partial = status_id == 3 and len(addresses) == 1
            items_here = [
                {
                    "order_product_id": i.id,
                    "quantity": max(1, i.quantity - 1) if partial else i.quantity,
                }
                for i in items
                if i.order_address_id == address.id
            ]
            if items_here:
                order_ops.ship(
                    store,
                    order,
                    order_address_id=address.id,
                    items=items_here,
                    tracking_number=f"{carrier.upper()[:2]}{rng.randrange(10**11)}",
                    tracking_carrier=carrier,
                    ts=ts,
                    notify=False,
                )
        order.status_id = status_id
    if rng.random() < 0.1:
        for _ in range(rng.randrange(1, 4)):
            ts += rng.randrange(600, 86400)
            order_ops.post_message(
                store,
                order,
                rng.choice(
                    (
                        "Where is my parcel?",
                        "¿Puedo cambiar la talla?",
                        "Адрес доставки неверный",
                        "Thanks — arrived safely!",
                        "The <b>box</b> was damaged & wet.",
                    )
                ),
                subject="Order question",
                from_customer=rng.random() < 0.7,
                ts=ts,
                notify=False,
            )
    if status_id in (4, 14):
        ts += rng.randrange(86400, 20 * 86400)
        _seed_refunds(store, rng, order, full=status_id == 4, ts=ts)
    order.modified = min(SEED_END, max(ts, created + rng.randrange(0, 3 * 86400)))
    return order


def _apply_coupon(store: Store, order: Order) -> None:
    coupon = store.coupons.get(1)
    code, coupon_id = (coupon["code"], 1) if coupon else ("WELCOME10", 1)
    discount = order.subtotal_ex // 10
    order.discount = order.coupon_discount = discount
    order.coupons.append(
        {
            "id": store.next_id("order_coupon"),
            "coupon_id": coupon_id,
            "order_id": order.id,
            "code": code,
            "amount": 10,
            "type": 1,
            "discount": discount,
        }
    )


def _seed_refunds(store: Store, rng: random.Random, order: Order, *, full: bool, ts: int) -> None:
    """A full refund is sometimes two partial ones; a partial one refunds one item."""
    order.payment_status = "captured"
    if full and len(order.items) > 1 and rng.random() < 0.5:
        first = order.items[0]
        apply_refund(
            store, order, [("PRODUCT", first.id, first.quantity, None)], ts=ts, notify=False
        )
        apply_refund(
            store,
            order,
            [("ORDER", order.id, None, order.total_inc - order.refunded)],
            ts=ts + 3600,
            notify=False,
        )
    elif full:
        apply_refund(
            store, order, [("ORDER", order.id, None, order.total_inc)], ts=ts, notify=False
        )
    elif order.items_total > 1:
        item = order.items[0]
        apply_refund(store, order, [("PRODUCT", item.id, 1, None)], ts=ts, notify=False)
    else:
        apply_refund(
            store, order, [("ORDER", order.id, None, order.total_inc // 3)], ts=ts, notify=False
        )
    order.status_id = 4 if full else 14
