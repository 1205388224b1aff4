"""The store's in-memory records.

Orders are numerous (100k must work), so they are slotted dataclasses holding integer cents
and epoch seconds, rendered to the wire format only when asked. Low-volume resources
(products, pages, promotions, hooks...) are kept as wire-shaped dicts, which makes partial
updates a validated `dict.update`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORDER_STATUSES: tuple[tuple[int, str, str], ...] = (
    (
        0,
        "Incomplete",
        "An incomplete order happens when a shopper reached the payment page, "
        "but did not complete the transaction.",
    ),
    (1, "Pending", "Customer started the checkout process, but did not complete it."),
    (2, "Shipped", "Order has been shipped, but receipt has not been confirmed."),
    (3, "Partially Shipped", "Only some items in the order have been shipped."),
    (4, "Refunded", "Seller has used the Refund action."),
    (
        5,
        "Cancelled",
        "Seller has cancelled an order, due to a stock inconsistency or other reasons.",
    ),
    (
        6,
        "Declined",
        "Seller has marked the order as declined for lack of manual payment, or other reasons.",
    ),
    (
        7,
        "Awaiting Payment",
        "Customer has completed checkout process, but payment has yet to be confirmed.",
    ),
    (
        8,
        "Awaiting Pickup",
        "Order has been pulled, and is awaiting customer pickup from a seller-specified location.",
    ),
    (
        9,
        "Awaiting Shipment",
        "Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
    ),
    (
        10,
        "Completed",
        "Client has paid for their digital product and their file(s) are available for download.",
    ),
    (
        11,
        "Awaiting Fulfillment",
        "Customer has completed the checkout process and payment has been confirmed.",
    ),
    (
        12,
        "Manual Verification Required",
        "Order is on hold while some aspect needs to be manually confirmed.",
    ),
    (
        13,
        "Disputed",
        "Customer has initiated a dispute resolution process for the PayPal "
        "transaction that paid for the order.",
    ),
    (14, "Partially Refunded", "Seller has partially refunded the order."),
)
STATUS_NAMES = {sid: name for sid, name, _ in ORDER_STATUSES}


@dataclass(slots=True)
class OrderProduct:
    id: int
    order_id: int
    product_id: int
    variant_id: int
    order_address_id: int
    name: str
    sku: str
    type: str
    price_ex: int
    price_tax: int
    quantity: int
    options: list[dict[str, Any]]
    quantity_shipped: int = 0
    quantity_refunded: int = 0
    refund_amount: int = 0
    # `applied_discounts` with `amount` in cents (see `discounts`).
    discounts: list[dict[str, Any]] = field(default_factory=list)
    # Wire fields as an import or an app left them, shown as-is over the rendered line
    # (see `Order.raw_fields`).
    raw_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def price_inc(self) -> int:
        return self.price_ex + self.price_tax

    @property
    def discount_inc(self) -> int:
        """The line's discounts with the tax share they take off (the line's tax rate)."""
        off = sum(d["amount"] for d in self.discounts)
        return off + (off * self.price_tax // self.price_ex if self.price_ex else 0)


@dataclass(slots=True)
class OrderAddress:
    id: int
    order_id: int
    address: dict[str, Any]
    shipping_method: str
    cost_ex: int
    cost_tax: int
    zone_id: int
    zone_name: str


@dataclass(slots=True)
class Order:
    id: int
    customer_id: int
    status_id: int
    created: int
    modified: int
    currency: str
    exchange_rate: float
    billing: dict[str, Any]
    payment_method: str
    payment_status: str
    items: list[OrderProduct]
    addresses: list[OrderAddress]
    tax_rate: float
    channel_id: int = 1
    shipped: int | None = None
    handling_ex: int = 0
    wrapping_ex: int = 0
    discount: int = 0
    coupon_discount: int = 0
    refunded: int = 0
    store_credit: int = 0
    gift_certificate: int = 0
    is_deleted: bool = False
    customer_message: str = ""
    staff_notes: str = ""
    ip_address: str = ""
    external_id: str = ""
    cart_id: str = ""
    locale: str = "en"
    order_source: str = "www"
    shipments: list[dict[str, Any]] = field(default_factory=list)
    coupons: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    # Wire fields as an import or an app wrote them, shown as-is over the rendered order:
    # a real store holds data its own checkout would never produce (a money string with a
    # decimal comma, a date no parser reads). Only the admin API sets them.
    raw_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def subtotal_ex(self) -> int:
        return sum(i.price_ex * i.quantity for i in self.items)

    @property
    def subtotal_tax(self) -> int:
        return sum(i.price_tax * i.quantity for i in self.items)

    @property
    def shipping_ex(self) -> int:
        return sum(a.cost_ex for a in self.addresses)

    @property
    def shipping_tax(self) -> int:
        return sum(a.cost_tax for a in self.addresses)

    @property
    def fees_ex(self) -> int:
        return sum(f["cost_ex"] for f in self.fees)

    @property
    def fees_tax(self) -> int:
        return sum(f["cost_tax"] for f in self.fees)

    @property
    def total_tax(self) -> int:
        return self.subtotal_tax + self.shipping_tax + self.fees_tax

    @property
    def total_ex(self) -> int:
        return (
            self.subtotal_ex
            + self.shipping_ex
            + self.handling_ex
            + self.wrapping_ex
            + self.fees_ex
            - self.discount
        )

    @property
    def total_inc(self) -> int:
        return self.total_ex + self.total_tax

    @property
    def email(self) -> str:
        return self.billing.get("email", "")

    @property
    def items_total(self) -> int:
        return sum(i.quantity for i in self.items)

    @property
    def items_shipped(self) -> int:
        return sum(i.quantity_shipped for i in self.items)

    @property
    def is_digital(self) -> bool:
        return all(i.type == "digital" for i in self.items)


@dataclass(slots=True)
class Token:
    """An API account: what it may touch (scopes) and how its webhooks are signed."""

    access_token: str
    client_id: str
    scopes: frozenset[str]
    client_secret: str | None = None
