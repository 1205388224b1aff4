"""Marshmallow schemas for the BigCommerce payloads an order snapshot is built from.

Each schema loads either the raw API payload (v2: money as 4-decimal strings, RFC 2822
dates, ``""`` for unset dates; v3: money as numbers, ISO 8601 dates) or our own canonical
dump of it, into frozen dataclasses. Unknown fields are dropped (``EXCLUDE``) because the
API grows fields all the time; the fields a document prints are required, so a payload
that cannot produce a correct document fails at fetch, not at render.

Card details (``credit_card``, ``avs_result``...) and free-text customer/staff notes are
deliberately not modelled: they never reach a staged snapshot or an archived PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, post_load, validate

ZERO = Decimal("0")


class _NullIsDefault(fields.Field):
    """Loads an explicit ``null`` like an absent key: BigCommerce sends both for "not set"."""

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        result = super().deserialize(value, attr, data, **kwargs)
        if result is None and callable(self.load_default):
            return self.load_default()
        return self.load_default if result is None else result


class Money(_NullIsDefault):
    """A decimal amount from a v2 string (``"336.3200"``) or a v3 number (``12.5``).

    Numbers go through ``str`` so a float never leaks binary noise into a Decimal; the
    dump is the Decimal's own string, which keeps the source scale (``"336.3200"``).
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValidationError("Not a valid amount.")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as error:
            raise ValidationError("Not a valid amount.") from error
        if not amount.is_finite():
            raise ValidationError("Amount must be finite.")
        return amount

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class SourceDateTime(fields.Field):
    """An aware datetime from RFC 2822 (v2 bodies) or ISO 8601 (v3 bodies, our dumps).

    v2 sends ``""`` for a date that is not set yet (``date_shipped``); that loads as
    None when the field allows it. A date without an offset is refused: guessing the
    zone would move record dates across day and fiscal-year boundaries.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "" and self.allow_none:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("Not a valid date.")
        parsed = _parse_date(value.strip())
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise ValidationError("Date has no UTC offset.")
        return parsed

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


def _parse_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError) as error:
        raise ValidationError("Not a valid RFC 2822 or ISO 8601 date.") from error


class Text(_NullIsDefault, fields.String):
    """A string where BigCommerce's ``null`` and absent both mean empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default="", allow_none=True, **kwargs)


class IdText(fields.Field):
    """An identifier that v3 sends as a string or a number (``order_id``, ``provider_id``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("Not a valid identifier.")
        return str(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value


def _money(required: bool = False) -> Money:
    return Money(required=True) if required else Money(load_default=ZERO, allow_none=True)


def _order_total() -> Money:
    """An order total, never below zero: money going back to a shopper is a refund, a
    record of its own (the credit note). BigCommerce has no negative orders (reference
    §4-§5); one an import or app left behind would print as an invoice that is really a
    credit, so it is refused at fetch and waits in the dead letters for a person."""
    return Money(required=True, validate=validate.Range(min=ZERO, error="Must not be negative."))


def _optional_money() -> Money:
    return Money(load_default=None, allow_none=True)


def _optional_int() -> fields.Integer:
    return fields.Integer(load_default=None, allow_none=True, strict=True)


class _BigCommerceSchema(Schema):
    class Meta:
        unknown = EXCLUDE


def _nested_list(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema), load_default=list)


@dataclass(frozen=True)
class Address:
    """A billing or shipment address; any part may be empty in real orders."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street_1: str = ""
    street_2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    country_iso2: str = ""
    phone: str = ""
    email: str = ""
    vat_id: str = ""  # the buyer's, from a billing address's custom fields


class AddressSchema(_BigCommerceSchema):
    first_name = Text()
    last_name = Text()
    company = Text()
    street_1 = Text()
    street_2 = Text()
    city = Text()
    state = Text()
    zip = Text()
    country = Text()
    country_iso2 = Text()
    phone = Text()
    email = Text()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Address:
        return Address(**data)


# A custom address field (orders.v2.oas2.yml `formFields`: `name`, and a `value` that is a
# number, a string or an array) holds the buyer's VAT id when its name reads as one:
# BigCommerce has no field for it, so stores collect it as a custom billing address field.
_TAX_WORDS = frozenset({"vat", "tax", "ust", "tva", "iva", "btw", "mwst", "moms", "nip"})
_ID_WORDS = frozenset(
    {"id", "idnr", "no", "nr", "number", "num", "code", "reg", "registration", "identification"}
)
_VAT_ID_NAMES = frozenset({"vat", "vatin", "uid", "ustidnr", "ustid", "vatid", "taxid"})


def names_a_vat_id(name: str) -> bool:
    """Whether a custom field's name reads as a VAT or tax id: "VAT number", "VAT ID",
    "USt-IdNr", "Tax ID", "Numéro TVA"..., case-insensitive; not "Tax exempt" or a bare "Tax"."""
    words = re.findall(r"[a-z]+", name.lower())
    if "".join(words) in _VAT_ID_NAMES:
        return True
    return bool(_TAX_WORDS.intersection(words)) and bool(_ID_WORDS.intersection(words))


def vat_id_of(form_fields: Any) -> str:
    """The first non-empty value of a field named as a VAT id, as text; else empty."""
    for form_field in form_fields if isinstance(form_fields, list) else []:
        if not isinstance(form_field, dict) or not names_a_vat_id(str(form_field.get("name"))):
            continue
        value = form_field.get("value")
        parts = value if isinstance(value, list) else [value]
        text = ", ".join(str(part).strip() for part in parts if part not in (None, ""))
        if text:
            return text
    return ""


class BillingAddressSchema(AddressSchema):
    """The order's billing address: ``form_fields`` are read for the buyer's VAT id and not
    kept (custom fields may hold free text); the id is dumped only when there is one, so
    the canonical JSON of an order without it is what it was before the field existed."""

    vat_id = Text()
    form_fields = fields.Raw(load_only=True, load_default=list, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Address:
        form_fields = data.pop("form_fields", None)
        return Address(**{**data, "vat_id": data["vat_id"] or vat_id_of(form_fields)})

    @post_dump
    def _omit_empty_vat_id(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if key != "vat_id" or value}


@dataclass(frozen=True)
class ShippingAddress(Address):
    """A consignment: one destination of the order, keyed by ``order_address_id``."""

    id: int = 0
    items_total: int = 0
    items_shipped: int = 0
    shipping_method: str = ""
    cost_ex_tax: Decimal = ZERO
    cost_inc_tax: Decimal = ZERO
    cost_tax: Decimal = ZERO


class ShippingAddressSchema(AddressSchema):
    id = fields.Integer(required=True, strict=True)
    items_total = fields.Integer(load_default=0)
    items_shipped = fields.Integer(load_default=0)
    shipping_method = Text()
    cost_ex_tax = _money()
    cost_inc_tax = _money()
    cost_tax = _money()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> ShippingAddress:
        return ShippingAddress(**data)


@dataclass(frozen=True)
class AppliedDiscount:
    """One ``applied_discounts`` entry of a line (orders.v2 ``orderProductAppliedDiscounts``):
    a promotion's id as a string, or ``total-coupon``/``manual-discount``; its code."""

    id: str
    amount: Decimal
    name: str = ""
    code: str | None = None
    target: str = ""


class AppliedDiscountSchema(_BigCommerceSchema):
    id = IdText(required=True)
    amount = _money(required=True)
    name = Text()
    code = fields.String(load_default=None, allow_none=True)
    target = Text()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> AppliedDiscount:
        return AppliedDiscount(**data)


@dataclass(frozen=True)
class LineItem:
    """An order product line (``/v2/orders/{id}/products``)."""

    id: int
    name: str
    quantity: int
    price_ex_tax: Decimal
    price_inc_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal
    product_id: int | None = None
    variant_id: int | None = None
    order_address_id: int | None = None
    sku: str = ""
    type: str = "physical"
    price_tax: Decimal = ZERO
    quantity_shipped: int = 0
    quantity_refunded: int = 0
    refund_amount: Decimal = ZERO
    applied_discounts: tuple[AppliedDiscount, ...] = ()


class LineItemSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    price_ex_tax = _money(required=True)
    price_inc_tax = _money(required=True)
    total_ex_tax = _money(required=True)
    total_inc_tax = _money(required=True)
    total_tax = _money(required=True)
    product_id = _optional_int()
    variant_id = _optional_int()
    order_address_id = _optional_int()
    sku = Text()
    type = fields.String(load_default="physical")
    price_tax = _money()
    quantity_shipped = fields.Integer(load_default=0)
    quantity_refunded = fields.Integer(load_default=0)
    refund_amount = _money()
    applied_discounts = _nested_list(AppliedDiscountSchema)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> LineItem:
        return LineItem(**{**data, "applied_discounts": tuple(data["applied_discounts"])})

    @post_dump
    def _omit_no_discounts(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A line without discounts dumps as it did before lines kept them, so the
        fingerprints of documents already declared stay what they were."""
        if not data.get("applied_discounts"):
            data.pop("applied_discounts", None)
        return data


@dataclass(frozen=True)
class ShipmentItem:
    order_product_id: int
    quantity: int
    product_id: int | None = None


class ShipmentItemSchema(_BigCommerceSchema):
    order_product_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True)
    product_id = _optional_int()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> ShipmentItem:
        return ShipmentItem(**data)


@dataclass(frozen=True)
class Shipment:
    """A shipment with carrier and tracking: the proof of shipment."""

    id: int
    order_address_id: int
    date_created: datetime
    items: tuple[ShipmentItem, ...]
    tracking_number: str = ""
    tracking_carrier: str = ""
    tracking_link: str = ""
    shipping_method: str = ""
    shipping_provider: str = ""
    shipping_address: Address | None = None


class ShipmentSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    order_address_id = fields.Integer(required=True, strict=True)
    date_created = SourceDateTime(required=True)
    items = fields.List(fields.Nested(ShipmentItemSchema), required=True)
    tracking_number = Text()
    tracking_carrier = Text()
    tracking_link = Text()
    shipping_method = Text()
    shipping_provider = Text()
    shipping_address = fields.Nested(AddressSchema, load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Shipment:
        return Shipment(**{**data, "items": tuple(data["items"])})


@dataclass(frozen=True)
class RefundItem:
    item_type: str
    item_id: int
    quantity: int | None = None
    requested_amount: Decimal | None = None
    reason: str = ""


class RefundItemSchema(_BigCommerceSchema):
    item_type = fields.String(required=True)
    item_id = fields.Integer(required=True)
    quantity = _optional_int()
    requested_amount = _optional_money()
    reason = Text()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RefundItem:
        return RefundItem(**data)


@dataclass(frozen=True)
class RefundPayment:
    provider_id: str
    amount: Decimal
    id: int | None = None
    offline: bool = False
    is_declined: bool = False


class RefundPaymentSchema(_BigCommerceSchema):
    provider_id = IdText(required=True)
    amount = _money(required=True)
    id = _optional_int()
    offline = fields.Boolean(load_default=False)
    is_declined = fields.Boolean(load_default=False)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RefundPayment:
        return RefundPayment(**data)


@dataclass(frozen=True)
class Refund:
    """A v3 refund (``/v3/orders/{id}/payment_actions/refunds``); amounts are numbers."""

    id: int
    created: datetime
    total_amount: Decimal
    total_tax: Decimal = ZERO
    reason: str = ""
    items: tuple[RefundItem, ...] = ()
    payments: tuple[RefundPayment, ...] = ()


class RefundSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    created = SourceDateTime(required=True)
    total_amount = _money(required=True)
    total_tax = _money()
    reason = Text()
    items = _nested_list(RefundItemSchema)
    payments = _nested_list(RefundPaymentSchema)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Refund:
        return Refund(
            **{**data, "items": tuple(data["items"]), "payments": tuple(data["payments"])}
        )


@dataclass(frozen=True)
class Transaction:
    """A v3 payment transaction; card data is not kept."""

    id: int
    event: str
    method: str
    amount: Decimal
    currency: str
    status: str
    date_created: datetime
    gateway: str = ""
    gateway_transaction_id: str = ""
    reference_transaction_id: int | None = None
    test: bool = False
    offline: bool = False


class TransactionSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    event = fields.String(required=True)
    method = fields.String(required=True)
    amount = _money(required=True)
    currency = fields.String(required=True)
    status = fields.String(required=True)
    date_created = SourceDateTime(required=True)
    gateway = Text()
    gateway_transaction_id = Text()
    reference_transaction_id = _optional_int()
    test = fields.Boolean(load_default=False)
    offline = fields.Raw(load_default=False, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Transaction:
        # v3 sends ``offline`` as an object (``{"display_name": ...}``) or null.
        return Transaction(**{**data, "offline": bool(data["offline"])})


@dataclass(frozen=True)
class Tax:
    """One applied tax rate on one line (``/v2/orders/{id}/taxes``)."""

    id: int
    name: str
    rate: Decimal
    line_amount: Decimal
    line_item_type: str = "item"
    order_product_id: int | None = None
    order_address_id: int | None = None
    tax_rate_id: int | None = None
    tax_class_id: int | None = None
    priority: int = 0
    priority_amount: Decimal = ZERO
    tax_class: str = ""


class TaxSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    rate = _money(required=True)
    line_amount = _money(required=True)
    line_item_type = fields.String(load_default="item")
    order_product_id = _optional_int()
    order_address_id = _optional_int()
    tax_rate_id = _optional_int()
    tax_class_id = _optional_int()
    priority = fields.Integer(load_default=0)
    priority_amount = _money()
    tax_class = Text(data_key="class")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Tax:
        return Tax(**data)


@dataclass(frozen=True)
class Fee:
    """A custom order fee (``fees`` on the v2 order)."""

    id: int
    display_name_customer: str
    cost_ex_tax: Decimal
    cost_inc_tax: Decimal
    cost_tax: Decimal = ZERO
    type: str = "custom_fee"


class FeeSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    display_name_customer = fields.String(required=True)
    cost_ex_tax = _money(required=True)
    cost_inc_tax = _money(required=True)
    cost_tax = _money()
    type = fields.String(load_default="custom_fee")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Fee:
        return Fee(**data)


@dataclass(frozen=True)
class Coupon:
    id: int
    code: str
    amount: Decimal
    discount: Decimal = ZERO
    type: int | None = None


class CouponSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    code = fields.String(required=True)
    amount = _money(required=True)
    discount = _money()
    type = _optional_int()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Coupon:
        return Coupon(**data)


@dataclass(frozen=True)
class Message:
    """An order message; for customer-service case files, never part of a snapshot."""

    id: int
    date_created: datetime
    type: str = ""
    subject: str = ""
    message: str = ""
    status: str = ""
    is_flagged: bool = False
    customer_id: int | None = None
    staff_id: int | None = None


class MessageSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    date_created = SourceDateTime(required=True)
    type = Text()
    subject = Text()
    message = Text()
    status = Text()
    is_flagged = fields.Boolean(load_default=False)
    customer_id = _optional_int()
    staff_id = _optional_int()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Message:
        return Message(**data)


@dataclass(frozen=True)
class Order:
    """The v2 order header: status, dates, currency and the totals documents print."""

    id: int
    status_id: int
    date_created: datetime
    date_modified: datetime
    currency_code: str
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal
    status: str = ""
    customer_id: int = 0
    channel_id: int | None = None
    date_shipped: datetime | None = None
    is_tax_inclusive_pricing: bool = False
    subtotal_tax: Decimal = ZERO
    shipping_cost_ex_tax: Decimal = ZERO
    shipping_cost_inc_tax: Decimal = ZERO
    shipping_cost_tax: Decimal = ZERO
    handling_cost_ex_tax: Decimal = ZERO
    handling_cost_inc_tax: Decimal = ZERO
    handling_cost_tax: Decimal = ZERO
    wrapping_cost_ex_tax: Decimal = ZERO
    wrapping_cost_inc_tax: Decimal = ZERO
    wrapping_cost_tax: Decimal = ZERO
    discount_amount: Decimal = ZERO
    coupon_discount: Decimal = ZERO
    refunded_amount: Decimal = ZERO
    store_credit_amount: Decimal = ZERO
    gift_certificate_amount: Decimal = ZERO
    payment_method: str = ""
    payment_status: str = ""
    items_total: int = 0
    items_shipped: int = 0
    billing_address: Address | None = None
    fees: tuple[Fee, ...] = ()


class OrderSchema(_BigCommerceSchema):
    id = fields.Integer(required=True, strict=True)
    status_id = fields.Integer(required=True, strict=True)
    date_created = SourceDateTime(required=True)
    date_modified = SourceDateTime(required=True)
    currency_code = fields.String(required=True)
    subtotal_ex_tax = _money(required=True)
    subtotal_inc_tax = _money(required=True)
    total_ex_tax = _order_total()
    total_inc_tax = _order_total()
    total_tax = _money(required=True)
    status = Text()
    customer_id = fields.Integer(load_default=0)
    channel_id = _optional_int()
    date_shipped = SourceDateTime(load_default=None, allow_none=True)
    is_tax_inclusive_pricing = fields.Boolean(load_default=False)
    subtotal_tax = _money()
    shipping_cost_ex_tax = _money()
    shipping_cost_inc_tax = _money()
    shipping_cost_tax = _money()
    handling_cost_ex_tax = _money()
    handling_cost_inc_tax = _money()
    handling_cost_tax = _money()
    wrapping_cost_ex_tax = _money()
    wrapping_cost_inc_tax = _money()
    wrapping_cost_tax = _money()
    discount_amount = _money()
    coupon_discount = _money()
    refunded_amount = _money()
    store_credit_amount = _money()
    gift_certificate_amount = _money()
    payment_method = Text()
    payment_status = Text()
    items_total = fields.Integer(load_default=0)
    items_shipped = fields.Integer(load_default=0)
    billing_address = fields.Nested(BillingAddressSchema, load_default=None, allow_none=True)
    fees = _nested_list(FeeSchema)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Order:
        return Order(**{**data, "fees": tuple(data["fees"])})
