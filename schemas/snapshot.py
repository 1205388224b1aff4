"""The order snapshot: everything the documents of one order are rendered from.

A snapshot is validated once at fetch, staged as canonical JSON, embedded in every PDF
rendered from it and hashed; so its JSON form must be a pure function of its content:
sorted keys, Decimals as strings, dates as ISO 8601, collections ordered by id.
The monthly tax summary is the one record that is not about a single order; its input,
``TaxSummary``, follows the same rules.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    validate,
    validates_schema,
)

from schemas.bigcommerce import (
    Coupon,
    CouponSchema,
    LineItem,
    LineItemSchema,
    Money,
    Order,
    OrderSchema,
    Refund,
    RefundSchema,
    Shipment,
    ShipmentSchema,
    ShippingAddress,
    ShippingAddressSchema,
    Tax,
    TaxSchema,
    Transaction,
    TransactionSchema,
)

ORDER_SNAPSHOT_FORMAT = "bcrm-order-snapshot/1"
TAX_SUMMARY_FORMAT = "bcrm-tax-summary/1"


def _format_field(name: str) -> fields.Function:
    """A constant ``format`` key: archived JSON says what it is without our code at hand.

    Raw payload assemblies may omit it; any other value is refused.
    """

    def check(value: Any) -> str:
        if value != name:
            raise ValidationError(f"expected {name!r}")
        return name

    return fields.Function(serialize=lambda _: name, deserialize=check, load_default=name)


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """The one byte form of a dumped mapping that is staged, embedded and hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Seller:
    """The merchant legal entity printed on documents; from store configuration
    (`sellers.toml`), else from what `GET /v2/store` says, not from orders.

    ``tax_id`` is the seller's main tax or VAT id; ``tax_ids`` its VAT ids by ISO country
    where it is registered in more than one (OSS, local registrations). ``store_name`` is
    the storefront's name when it differs from the legal name.
    """

    legal_name: str
    address_lines: tuple[str, ...] = ()
    country_iso2: str = ""
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    store_name: str = ""
    tax_ids: Mapping[str, str] = field(default_factory=dict, hash=False)

    def tax_id_for(self, country_iso2: str) -> str:
        """The VAT id the seller invoices under in a country: its registration there,
        else its main id."""
        return self.tax_ids.get(country_iso2.upper(), "") or self.tax_id


# Fields added after snapshots were first archived: left out of the dump while empty, so
# the canonical JSON (and every fingerprint taken of it) of a snapshot stored before them
# stays byte for byte what it was.
_LATER_SELLER_FIELDS = ("phone", "store_name", "tax_ids")


class SellerSchema(Schema):
    legal_name = fields.String(required=True, validate=validate.Length(min=1))
    address_lines = fields.List(fields.String(), load_default=list)
    country_iso2 = fields.String(load_default="")
    tax_id = fields.String(load_default="")
    email = fields.String(load_default="")
    phone = fields.String(load_default="")
    store_name = fields.String(load_default="")
    tax_ids = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
        values=fields.String(validate=validate.Length(min=1)),
        load_default=dict,
    )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Seller:
        return Seller(
            **{
                **data,
                "address_lines": tuple(data["address_lines"]),
                "tax_ids": dict(sorted(data["tax_ids"].items())),
            }
        )

    @post_dump
    def _omit_empty_later_fields(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in _LATER_SELLER_FIELDS or v}


@dataclass(frozen=True)
class OrderSnapshot:
    """One order as fetched: header, lines, consignments, shipments, money movements, taxes.

    ``taxes`` and ``coupons`` are read only when a due document shows them (order record,
    invoice, tax breakdown; ``order_fetch``); otherwise they stay empty.
    """

    store_hash: str
    seller: Seller
    order: Order
    products: tuple[LineItem, ...]
    shipping_addresses: tuple[ShippingAddress, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    taxes: tuple[Tax, ...] = ()
    coupons: tuple[Coupon, ...] = ()

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> OrderSnapshot:
        """Validate API payloads (or a canonical dump) into a snapshot; raises ValidationError."""
        snapshot: OrderSnapshot = SNAPSHOT_SCHEMA.load(data)
        return snapshot

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> OrderSnapshot:
        return cls.load(json.loads(raw))

    def to_json_bytes(self) -> bytes:
        return canonical_json(SNAPSHOT_SCHEMA.dump(self))

    def product(self, product_id: int) -> LineItem:
        return _find(self.products, product_id, "product line", self.order.id)

    def shipping_address(self, address_id: int) -> ShippingAddress:
        return _find(self.shipping_addresses, address_id, "consignment", self.order.id)

    def shipment(self, shipment_id: int) -> Shipment:
        return _find(self.shipments, shipment_id, "shipment", self.order.id)

    def refund(self, refund_id: int) -> Refund:
        return _find(self.refunds, refund_id, "refund", self.order.id)

    def transaction(self, transaction_id: int) -> Transaction:
        return _find(self.transactions, transaction_id, "transaction", self.order.id)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


_Part = TypeVar("_Part", bound=_HasId)


def _find(items: tuple[_Part, ...], item_id: int, what: str, order_id: int) -> _Part:
    for item in items:
        if item.id == item_id:
            return item
    raise LookupError(f"order {order_id} has no {what} {item_id}")


def _by_id(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema), load_default=list)


class OrderSnapshotSchema(Schema):
    format = _format_field(ORDER_SNAPSHOT_FORMAT)
    store_hash = fields.String(required=True, validate=validate.Length(min=1))
    seller = fields.Nested(SellerSchema, required=True)
    order = fields.Nested(OrderSchema, required=True)
    products = fields.List(fields.Nested(LineItemSchema), required=True)
    shipping_addresses = _by_id(ShippingAddressSchema)
    shipments = _by_id(ShipmentSchema)
    refunds = _by_id(RefundSchema)
    transactions = _by_id(TransactionSchema)
    taxes = _by_id(TaxSchema)
    coupons = _by_id(CouponSchema)

    _collections = (
        "products",
        "shipping_addresses",
        "shipments",
        "refunds",
        "transactions",
        "taxes",
        "coupons",
    )

    @validates_schema(skip_on_field_errors=True)
    def _check_references(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Refuse a snapshot whose parts point at lines or consignments it does not hold."""
        for name in self._collections:
            ids = [item.id for item in data.get(name, [])]
            if len(ids) != len(set(ids)):
                raise ValidationError(f"duplicate ids in {name}", name)
        product_ids = {line.id for line in data["products"]}
        address_ids = {address.id for address in data.get("shipping_addresses", [])}
        for shipment in data.get("shipments", []):
            if shipment.order_address_id not in address_ids:
                raise ValidationError(
                    f"shipment {shipment.id} names unknown consignment {shipment.order_address_id}",
                    "shipments",
                )
            unknown = {item.order_product_id for item in shipment.items} - product_ids
            if unknown:
                raise ValidationError(
                    f"shipment {shipment.id} names unknown products {sorted(unknown)}",
                    "shipments",
                )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> OrderSnapshot:
        ordered = {
            name: tuple(sorted(data.get(name, []), key=lambda item: item.id))
            for name in self._collections
        }
        return OrderSnapshot(
            store_hash=data["store_hash"], seller=data["seller"], order=data["order"], **ordered
        )


@dataclass(frozen=True)
class TaxSummaryRow:
    """Tax collected at one rate under one tax name in the period."""

    tax_name: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    order_count: int


class TaxSummaryRowSchema(Schema):
    tax_name = fields.String(required=True)
    rate = Money(required=True)
    taxable_amount = Money(required=True)
    tax_amount = Money(required=True)
    order_count = fields.Integer(required=True, validate=validate.Range(min=0))

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> TaxSummaryRow:
        return TaxSummaryRow(**data)


@dataclass(frozen=True)
class TaxSummaryOrder:
    """One paid order a monthly summary counts: its region (US state) and amounts."""

    order_id: int
    date: datetime
    region: str
    net: Decimal
    tax: Decimal
    gross: Decimal


class TaxSummaryOrderSchema(Schema):
    order_id = fields.Integer(required=True)
    date = fields.AwareDateTime(required=True, format="iso")
    region = fields.String(load_default="")
    net = Money(required=True)
    tax = Money(required=True)
    gross = Money(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> TaxSummaryOrder:
        return TaxSummaryOrder(**data)


@dataclass(frozen=True)
class TaxSummaryRefunds:
    """Refunds dated in the month, of the summarised orders: count, gross, tax in them."""

    count: int
    gross: Decimal
    tax: Decimal


class TaxSummaryRefundsSchema(Schema):
    count = fields.Integer(required=True)
    gross = Money(required=True)
    tax = Money(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> TaxSummaryRefunds:
        return TaxSummaryRefunds(**data)


@dataclass(frozen=True)
class TaxSummary:
    """Tax collected by one store in one calendar month, for one currency and one country."""

    store_hash: str
    seller: Seller
    year: int
    month: int
    currency: str
    country_iso2: str
    rows: tuple[TaxSummaryRow, ...]
    orders: tuple[TaxSummaryOrder, ...] = ()
    refunds: TaxSummaryRefunds | None = None

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> TaxSummary:
        summary: TaxSummary = TAX_SUMMARY_SCHEMA.load(data)
        return summary

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> TaxSummary:
        return cls.load(json.loads(raw))

    def to_json_bytes(self) -> bytes:
        return canonical_json(TAX_SUMMARY_SCHEMA.dump(self))

    @property
    def period_end(self) -> datetime:
        """The last second of the month in UTC: the summary's record and document date."""
        last_day = calendar.monthrange(self.year, self.month)[1]
        return datetime(self.year, self.month, last_day, 23, 59, 59, tzinfo=UTC)


class TaxSummarySchema(Schema):
    format = _format_field(TAX_SUMMARY_FORMAT)
    store_hash = fields.String(required=True, validate=validate.Length(min=1))
    seller = fields.Nested(SellerSchema, required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=9999))
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    country_iso2 = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    rows = fields.List(fields.Nested(TaxSummaryRowSchema), required=True)
    # Added later: left out of the dump while empty, so a summary stored before them keeps
    # its canonical JSON and the record key taken of it.
    orders = fields.List(fields.Nested(TaxSummaryOrderSchema), load_default=list)
    refunds = fields.Nested(TaxSummaryRefundsSchema, load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> TaxSummary:
        rows = tuple(sorted(data.pop("rows"), key=lambda row: (row.tax_name, row.rate)))
        orders = tuple(sorted(data.pop("orders"), key=lambda order: order.order_id))
        data.pop("format")
        return TaxSummary(**data, rows=rows, orders=orders)

    @post_dump
    def _omit_empty_later_fields(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("orders", "refunds") or v}


# Schemas hold no per-call state; building one costs more than a dump, so share them.
SNAPSHOT_SCHEMA = OrderSnapshotSchema()
TAX_SUMMARY_SCHEMA = TaxSummarySchema()
