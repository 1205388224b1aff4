"""The BigCommerce webhook callback, and which order a delivery is about.

A callback is thin (`{scope, store_id, data, hash, created_at, producer}`); `data` differs
per scope and names the order under a different key per family (reference §9.2, §9.3).
Unknown top-level keys are dropped (``EXCLUDE``): BigCommerce adds fields such as
`channel_id` without notice, and refusing them would make it retry a good event for 48 h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

# Where each accepted scope keeps the order id inside `data`. `store/order/*` hooks also
# deliver transaction and metafield events, so those must be accepted too: a 4xx would
# count against the hook's success ratio and end in deactivation.
ORDER_ID_KEY: dict[str, str] = {
    **dict.fromkeys(
        (
            "store/order/created",
            "store/order/updated",
            "store/order/archived",
            "store/order/statusUpdated",
            "store/order/message/created",
            "store/order/refund/created",
        ),
        "id",
    ),
    "store/order/transaction/created": "order_id",
    "store/order/transaction/updated": "order_id",
    # `resource_id` is a string holding the order id for order metafields.
    "store/order/metafield/created": "resource_id",
    "store/order/metafield/updated": "resource_id",
    "store/order/metafield/deleted": "resource_id",
    "store/shipment/created": "orderId",
    "store/shipment/updated": "orderId",
    "store/shipment/deleted": "orderId",
}

# The hook scopes `bcrm webhooks register` creates: together they cover ORDER_ID_KEY.
REGISTERED_SCOPES = ("store/order/*", "store/shipment/*")

# Per channel, the changes to its disclosures (flow 4; bigcommerce/docs channels.mdx), by
# the disclosure kind each is about. A page event names the page (`data.page_id`); the
# settings events are about the channel.
DISCLOSURE_SCOPES = {
    "page/created": "page",
    "page/updated": "page",
    "settings/checkout/updated": "checkout_terms",
    "settings/customerPrivacy/updated": "privacy",
}
_CHANNEL_SCOPE = re.compile(
    r"^store/channel/(?P<channel>[1-9][0-9]{0,9})/(?P<change>"
    + "|".join(re.escape(change) for change in DISCLOSURE_SCOPES)
    + ")$"
)


def disclosure_scopes(channel_id: int) -> tuple[str, ...]:
    """The hook scopes that report changes to one channel's disclosures."""
    return tuple(f"store/channel/{channel_id}/{change}" for change in DISCLOSURE_SCOPES)


class UnknownScopeError(ValueError):
    """A well-formed delivery for a scope we neither registered nor know how to archive."""


class _Delivery(Schema):
    class Meta:
        unknown = EXCLUDE

    scope = fields.String(required=True, validate=validate.Length(min=1, max=128))
    store_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    data = fields.Dict(required=True)
    hash = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{40}$"))
    created_at = fields.Integer(required=True, strict=True)
    producer = fields.String(required=True, validate=validate.Regexp(r"^stores/[0-9a-z]{1,32}$"))


_DATA_SCHEMAS: dict[str, Schema] = {
    key: Schema.from_dict(
        {key: fields.Integer(required=True, validate=validate.Range(min=1))},
        name=f"_Data_{key}",
    )(unknown=EXCLUDE)
    for key in set(ORDER_ID_KEY.values())
}
_DELIVERY = _Delivery()


@dataclass(frozen=True)
class OrderEvent:
    """What the receiver enqueues: the order a delivery is about, and why."""

    store_hash: str
    order_id: int
    scope: str
    hash: str


@dataclass(frozen=True)
class DisclosureEvent:
    """A change to one disclosure of a channel: what the receiver asks a look for."""

    store_hash: str
    channel_id: int
    kind: str
    subject: str
    scope: str
    hash: str
    created_at: int

    def to_json(self) -> dict[str, Any]:
        """The event as a look's message carries it (`intake.look_ref`)."""
        return {
            "hash": self.hash,
            "kind": self.kind,
            "subject": self.subject,
            "scope": self.scope,
            "occurred_at": self.created_at,
        }


_PAGE_DATA = Schema.from_dict(
    {"page_id": fields.Integer(required=True, validate=validate.Range(min=1))},
    name="_PageData",
)(unknown=EXCLUDE)


def _delivery(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationError("A webhook delivery is a JSON object.")
    delivery: dict[str, Any] = _DELIVERY.load(payload)
    return delivery


def _data(schema: Schema, delivery: dict[str, Any]) -> dict[str, Any]:
    """The scope's `data`, its errors under `data`."""
    try:
        data: dict[str, Any] = schema.load(delivery["data"])
    except ValidationError as exc:
        raise ValidationError({"data": exc.messages}) from None
    return data


def _store_hash(delivery: dict[str, Any]) -> str:
    return str(delivery["producer"]).removeprefix("stores/")


def load_event(payload: Any) -> OrderEvent | DisclosureEvent:
    """Validate a decoded callback body: an order's event or a disclosure's change.

    Raises ValidationError (messages keyed by field) for a malformed delivery and
    UnknownScopeError for a well-formed one whose scope we do not handle.
    """
    delivery = _delivery(payload)
    matched = _CHANNEL_SCOPE.match(delivery["scope"])
    if matched is None:
        return _order_event(delivery)
    channel_id = int(matched["channel"])
    kind = DISCLOSURE_SCOPES[matched["change"]]
    subject = str(channel_id)
    if kind == "page":
        subject = str(_data(_PAGE_DATA, delivery)["page_id"])
    return DisclosureEvent(
        store_hash=_store_hash(delivery),
        channel_id=channel_id,
        kind=kind,
        subject=subject,
        scope=delivery["scope"],
        hash=delivery["hash"],
        created_at=delivery["created_at"],
    )


def load_order_event(payload: Any) -> OrderEvent:
    """Validate a decoded callback body of an order's scope.

    Raises ValidationError (messages keyed by field) for a malformed delivery and
    UnknownScopeError for a well-formed one whose scope we do not handle.
    """
    return _order_event(_delivery(payload))


def _order_event(delivery: dict[str, Any]) -> OrderEvent:
    key = ORDER_ID_KEY.get(delivery["scope"])
    if key is None:
        raise UnknownScopeError(delivery["scope"])
    return OrderEvent(
        store_hash=_store_hash(delivery),
        order_id=_data(_DATA_SCHEMAS[key], delivery)[key],
        scope=delivery["scope"],
        hash=delivery["hash"],
    )
