"""What shoppers and merchants do to orders, with the webhooks each action fires.

REST handlers, the admin API and the seeder all go through these functions, so an order
changed by any of them looks the same and announces itself the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .discounts import apply as apply_discounts
from .errors import ApiError
from .formats import to_cents
from .model import STATUS_NAMES, Order, OrderAddress, OrderProduct
from .products import product_option_id
from .seed_data import CARRIER_LINKS, COUNTRIES, OPTION_KINDS
from .state import Store

COUNTRY_BY_ISO = {c.iso2: c for c in COUNTRIES}
PAID_STATUSES = {"authorized", "captured", "paid", "partially refunded"}


def convert(usd_cents: int, currency: str) -> int:
    """Store prices are USD; orders are in the shopper's currency (JPY has no minor unit)."""
    country = next(c for c in COUNTRIES if c.currency == currency)
    if currency == "JPY":
        return round(usd_cents * country.rate / 100) * 100
    return round(usd_cents * country.rate)


def make_items(
    store: Store,
    order_id: int,
    lines: Sequence[tuple[dict[str, Any], int]],
    currency: str,
    tax_rate: float,
    address_ids: Sequence[int],
) -> list[OrderProduct]:
    """Order lines from (variant, quantity); physical lines spread over the addresses."""
    items = []
    for n, (variant, quantity) in enumerate(lines):
        product = store.products[variant["product_id"]]
        price = convert(round(variant["calculated_price"] * 100), currency)
        digital = product["type"] == "digital"
        item_id = store.next_id("order_product")
        items.append(
            OrderProduct(
                id=item_id,
                order_id=order_id,
                product_id=product["id"],
                variant_id=variant["id"],
                order_address_id=0 if digital else address_ids[n % len(address_ids)],
                name=product["name"],
                sku=variant["sku"],
                type=product["type"],
                price_ex=price,
                price_tax=round(price * tax_rate),
                quantity=quantity,
                options=line_options(store, item_id, product["id"], variant),
            )
        )
    return items


def line_options(
    store: Store, order_product_id: int, product_id: int, variant: dict[str, Any]
) -> list[dict[str, Any]]:
    """v2 `product_options` of a line, one per option value of the ordered variant (none
    for a product without options). `value` is the option value's id as a string, as in
    the spec's example (`display_value: S`, `value: '69'`)."""
    options = []
    for chosen in variant["option_values"]:
        kind, style, internal_name = OPTION_KINDS[chosen["option_display_name"]]
        options.append(
            {
                "id": store.next_id("order_product_option"),
                "option_id": chosen["option_id"],
                "order_product_id": order_product_id,
                "product_option_id": product_option_id(product_id, chosen["option_id"]),
                "display_name": chosen["option_display_name"],
                "display_name_customer": chosen["option_display_name"],
                "display_name_merchant": chosen["option_display_name"],
                "display_value": chosen["label"],
                "display_value_customer": chosen["label"],
                "display_value_merchant": chosen["label"],
                "value": str(chosen["id"]),
                "type": kind,
                "name": internal_name,
                "display_style": style,
            }
        )
    return options


def make_address(
    store: Store, order_id: int, address: dict[str, Any], currency: str, tax_rate: float
) -> OrderAddress:
    country = COUNTRY_BY_ISO.get(address.get("country_iso2", ""), COUNTRIES[0])
    cost = convert(899 if country.iso2 == "US" else 1999, currency)
    return OrderAddress(
        id=store.next_id("order_address"),
        order_id=order_id,
        address=address,
        shipping_method="Flat Rate" if country.iso2 == "US" else "International Shipping",
        cost_ex=cost,
        cost_tax=round(cost * tax_rate),
        zone_id=1 if country.iso2 == "US" else 2,
        zone_name="United States" if country.iso2 == "US" else "International",
    )


def transaction(store: Store, order: Order, event: str, amount: int, ts: int) -> dict[str, Any]:
    """A v3 transaction record, appended to the order."""
    txn = {
        "id": store.next_id("transaction"),
        "order_id": str(order.id),
        "event": event,
        "method": "refund" if event == "refund" else "credit_card",
        "amount": amount,
        "currency": order.currency,
        "gateway": order.payment_method.lower().replace(" ", ""),
        "gateway_transaction_id": uuid.UUID(int=order.id * 1000 + len(order.transactions)).hex,
        "status": "ok",
        "test": False,
        "fraud_review": False,
        "reference_transaction_id": None,
        "date_created": ts,
        "offline": order.payment_method in ("Manual", "Bank Deposit", "Cash on Delivery"),
    }
    order.transactions.append(txn)
    return txn


def place_order(
    store: Store,
    *,
    customer_id: int = 0,
    lines: Sequence[dict[str, Any]],
    billing: dict[str, Any] | None = None,
    shipping: Sequence[dict[str, Any]] | None = None,
    status_id: int = 11,
    payment_method: str = "Credit Card",
    channel_id: int = 1,
    discounts: Mapping[str, Any] | None = None,
) -> Order:
    """A shopper checks out: the order, its capture, and the events a real checkout fires.
    `discounts` (`promotion_id`, `coupon_code`) go through `discounts.apply` before the
    order exists, so a refused code leaves no order and no use behind."""
    if customer_id and customer_id not in store.customers:
        raise ApiError(400, f"Customer {customer_id} does not exist.")
    if not lines:
        raise ApiError(400, "An order needs at least one product.")
    if status_id not in STATUS_NAMES:
        raise ApiError(400, f"Unknown status_id {status_id}.")
    resolved = [resolve_line(store, line) for line in lines]
    customer = store.customers.get(customer_id)
    if billing is None:
        if customer is None:
            raise ApiError(400, "A guest order needs a billing_address.")
        billing = {**customer["addresses"][0], "email": customer["email"]}
    country = COUNTRY_BY_ISO.get(billing.get("country_iso2", ""), COUNTRIES[0])
    now = store.now()
    order_id = store.next_id("order")
    ship_to = list(shipping or [billing])
    addresses = [
        make_address(store, order_id, a, country.currency, country.tax_rate) for a in ship_to
    ]
    items = make_items(
        store,
        order_id,
        resolved,
        country.currency,
        country.tax_rate,
        [a.id for a in addresses] or [0],
    )
    for item, line in zip(items, lines, strict=True):
        customise_line(item, line, country.tax_rate)
    if all(i.type == "digital" for i in items):
        addresses = []
    order = Order(
        id=order_id,
        customer_id=customer_id,
        status_id=status_id,
        created=now,
        modified=now,
        currency=country.currency,
        exchange_rate=country.rate,
        billing=dict(billing),
        payment_method=payment_method,
        payment_status=payment_status_for(status_id),
        items=items,
        addresses=addresses,
        tax_rate=country.tax_rate,
        channel_id=channel_id,
        cart_id=str(uuid.uuid4()),
        locale=country.locale,
    )
    if discounts:
        apply_discounts(store, order, **discounts)
    store.add_order(order)
    if order.payment_status in PAID_STATUSES:
        txn = transaction(store, order, "purchase", order.total_inc, now)
        store.emit(
            "store/order/transaction/created",
            {"type": "transaction", "order_id": order.id, "transaction_id": str(txn["id"])},
        )
    store.emit("store/cart/converted", {"type": "cart", "id": order.cart_id, "orderId": order.id})
    store.emit("store/order/created", {"type": "order", "id": order.id})
    return order


def resolve_line(store: Store, line: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """`{product_id, variant_id?, quantity}` to (variant, quantity); no variant means the
    product's first one."""
    try:
        product = store.products.get(int(line["product_id"]))
        quantity = int(line.get("quantity", 1))
        variant_id = int(line.get("variant_id") or 0)
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, "Each product line needs a numeric product_id.") from None
    if product is None or quantity < 1:
        raise ApiError(400, f"Product {line['product_id']} cannot be ordered.")
    variant = store.variants.get(variant_id or product["_variant_ids"][0])
    if variant is None or variant["product_id"] != product["id"]:
        raise ApiError(400, f"Variant {variant_id} does not belong to product {product['id']}.")
    return variant, quantity


def customise_line(item: OrderProduct, line: dict[str, Any], tax_rate: float) -> None:
    """A line's own `name` and `price_ex_tax` (order currency), as v2 `POST /orders` takes
    them for a custom product: the catalog's name and price are only the defaults."""
    if "name" in line:
        item.name = str(line["name"])
    if "price_ex_tax" in line:
        try:
            item.price_ex = to_cents(line["price_ex_tax"])
        except ValueError:
            raise ApiError(400, "The field 'price_ex_tax' must be a number.") from None
        item.price_tax = round(item.price_ex * tax_rate)


def payment_status_for(status_id: int) -> str:
    return {
        0: "",
        1: "pending",
        7: "pending",
        6: "declined",
        5: "void",
        12: "held for review",
        4: "refunded",
        14: "partially refunded",
    }.get(status_id, "captured")


def set_status(store: Store, order: Order, status_id: int) -> None:
    """A status change fires `statusUpdated` with both ids, then `updated`."""
    if status_id not in STATUS_NAMES:
        raise ApiError(400, f"The status_id {status_id} is not valid.")
    previous = order.status_id
    order.status_id = status_id
    store.touch(order)
    if previous != status_id:
        store.emit(
            "store/order/statusUpdated",
            {
                "type": "order",
                "id": order.id,
                "status": {"previous_status_id": previous, "new_status_id": status_id},
            },
        )
    store.emit("store/order/updated", {"type": "order", "id": order.id})


def updated(store: Store, order: Order) -> None:
    store.touch(order)
    store.emit("store/order/updated", {"type": "order", "id": order.id})


def archive(store: Store, order: Order) -> None:
    if not order.is_deleted:
        order.is_deleted = True
        store.archived += 1
    store.touch(order)
    store.emit("store/order/archived", {"type": "order", "id": order.id})


def tracking_link(carrier: str, number: str) -> str:
    return CARRIER_LINKS.get(carrier, "https://example.com/track/{}").format(number)


def ship(
    store: Store,
    order: Order,
    *,
    order_address_id: int | None = None,
    items: Sequence[dict[str, int]] | None = None,
    tracking_number: str = "",
    tracking_carrier: str = "",
    shipping_provider: str = "",
    comments: str = "",
    ts: int | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """Ship items of one consignment; by default everything still unshipped at the first
    address. Moves the order to Shipped or Partially Shipped."""
    if not order.addresses:
        raise ApiError(400, "This order has no shipping address (digital order).")
    address = (
        next((a for a in order.addresses if a.id == order_address_id), None)
        if order_address_id is not None
        else order.addresses[0]
    )
    if address is None:
        raise ApiError(400, f"Order address {order_address_id} does not exist on this order.")
    by_id = {i.id: i for i in order.items}
    if items is None:
        items = [
            {"order_product_id": i.id, "quantity": i.quantity - i.quantity_shipped}
            for i in order.items
            if i.order_address_id == address.id and i.quantity > i.quantity_shipped
        ]
    shipped_items = []
    for row in items:
        item = by_id.get(int(row.get("order_product_id", 0)))
        quantity = int(row.get("quantity", 0))
        if item is None or item.order_address_id != address.id:
            raise ApiError(400, "An item does not belong to this order address.")
        if quantity < 1 or quantity > item.quantity - item.quantity_shipped:
            raise ApiError(400, f"Cannot ship {quantity} of order product {item.id}.")
        item.quantity_shipped += quantity
        shipped_items.append(
            {"order_product_id": item.id, "product_id": item.product_id, "quantity": quantity}
        )
    if not shipped_items:
        raise ApiError(400, "Nothing left to ship for this address.")
    now = ts if ts is not None else store.now()
    shipment = {
        "id": store.next_id("shipment"),
        "order_id": order.id,
        "customer_id": order.customer_id,
        "order_address_id": address.id,
        "date_created": now,
        "tracking_number": tracking_number,
        "tracking_carrier": tracking_carrier,
        "tracking_link": tracking_link(tracking_carrier, tracking_number)
        if tracking_number
        else "",
        "shipping_method": address.shipping_method,
        "shipping_provider": shipping_provider or tracking_carrier,
        "comments": comments,
        "items": shipped_items,
    }
    order.shipments.append(shipment)
    order.shipped = now
    new_status = (
        2
        if order.items_shipped >= sum(i.quantity for i in order.items if i.type != "digital")
        else 3
    )
    if notify:
        store.emit(
            "store/shipment/created",
            {"type": "shipment", "id": shipment["id"], "orderId": order.id},
        )
        if order.status_id not in (4, 14):
            set_status(store, order, new_status)
        else:
            updated(store, order)
    else:
        order.status_id = new_status if order.status_id not in (4, 14, 10) else order.status_id
    return shipment


def post_message(
    store: Store,
    order: Order,
    message: str,
    *,
    subject: str = "",
    from_customer: bool = True,
    ts: int | None = None,
    notify: bool = True,
) -> dict[str, Any]:
    """A shopper (or staff) message on the order, as order communication logs."""
    msg = {
        "id": store.next_id("message"),
        "order_id": order.id,
        "staff_id": 0 if from_customer else 1,
        "customer_id": order.customer_id if from_customer else 0,
        "type": "customer" if from_customer else "order",
        "subject": subject,
        "message": message,
        "status": "unread",
        "is_flagged": False,
        "date_created": ts if ts is not None else store.now(),
    }
    order.messages.append(msg)
    if notify:
        store.touch(order)
        store.emit(
            "store/order/message/created",
            {"type": "order", "id": order.id, "message": {"order_message_id": msg["id"]}},
        )
    return msg
