"""Customer-service cases (flow 2): the helpdesk's `POST /cases` delivery, and the case
event every intake (helpdesk, command line, BigCommerce) turns into.

A delivery describes the case as the helpdesk sees it now (its header) plus any thread
messages and attachments; later deliveries for the same case repeat the header with a
new status or more messages. An event carries attachments as references to staged bytes
(`sha256`), never the bytes: messages between processes carry references.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

CASE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
STORE_HASH = r"^[a-z0-9]{1,32}$"
REASONS = ("return", "delivery", "dispute", "complaint", "other")
STATUSES = ("open", "pending", "solved", "closed")
CLOSED = "closed"
AUTHOR_ROLES = ("customer", "agent", "system")
ORIGINS = ("helpdesk", "cli", "bigcommerce")
MAX_ORDERS = 20


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class DeliveredMessage(_Strict):
    id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    author_role = fields.String(required=True, validate=validate.OneOf(AUTHOR_ROLES))
    at = fields.AwareDateTime(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


class DeliveredAttachment(_Strict):
    name = fields.String(
        required=True, validate=validate.Regexp(r"^[^/\\\x00-\x1f]{1,200}$", error="a file name")
    )
    content_type = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$", error="a media type"),
    )
    content_base64 = fields.String(required=True)


class CaseDelivery(_Strict):
    """The `POST /cases` body (unknown keys are ignored: helpdesks add fields)."""

    case_id = fields.String(required=True, validate=validate.Regexp(CASE_ID, error="a case id"))
    store = fields.String(required=True, validate=validate.Regexp(STORE_HASH, error="a hash"))
    order_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        required=True,
        validate=validate.Length(min=1, max=MAX_ORDERS),
    )
    opened_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    subject = fields.String(load_default="", validate=validate.Length(max=500))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    messages = fields.List(fields.Nested(DeliveredMessage), load_default=list)
    attachments = fields.List(fields.Nested(DeliveredAttachment), load_default=list)
    legal_hold = fields.Boolean(load_default=False)
    release_hold = fields.Boolean(load_default=False)


def load_delivery(payload: Any) -> dict[str, Any]:
    """A checked delivery; ValidationError (messages by field) otherwise."""
    if not isinstance(payload, dict):
        raise ValidationError("A case delivery is a JSON object.")
    loaded: dict[str, Any] = CaseDelivery().load(payload)
    return loaded


@dataclass(frozen=True)
class ThreadMessage:
    """One message of the helpdesk thread."""

    id: str
    author_role: str
    at: datetime
    text: str


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment: what it is called and claims to be, and where its bytes are staged."""

    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CaseEvent:
    """What one intake says about a case. Only what it names changes the case: an event
    of the command line's `cases add` carries a message and nothing else."""

    event_id: str
    origin: str
    store_hash: str
    case_id: str
    at: datetime
    order_ids: tuple[int, ...] = ()
    opened_at: datetime | None = None
    reason: str | None = None
    subject: str | None = None
    status: str | None = None
    hold: bool = False
    release_hold: bool = False
    messages: tuple[ThreadMessage, ...] = field(default=())
    attachments: tuple[AttachmentRef, ...] = field(default=())

    def to_json_bytes(self) -> bytes:
        return json.dumps(_EVENT.dump(self), sort_keys=True, separators=(",", ":")).encode()

    @staticmethod
    def from_json_bytes(raw: bytes) -> CaseEvent:
        event: CaseEvent = _EVENT.load(json.loads(raw))
        return event


class _MessageSchema(Schema):
    id = fields.String(required=True)
    author_role = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    text = fields.String(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> ThreadMessage:
        return ThreadMessage(**data)


class _AttachmentSchema(Schema):
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> AttachmentRef:
        return AttachmentRef(**data)


class _EventSchema(Schema):
    event_id = fields.String(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(ORIGINS))
    store_hash = fields.String(required=True)
    case_id = fields.String(required=True, validate=validate.Regexp(CASE_ID))
    at = fields.AwareDateTime(required=True)
    order_ids = fields.List(fields.Integer(), load_default=list)
    opened_at = fields.AwareDateTime(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None)
    subject = fields.String(allow_none=True, load_default=None)
    status = fields.String(allow_none=True, load_default=None)
    hold = fields.Boolean(load_default=False)
    release_hold = fields.Boolean(load_default=False)
    messages = fields.List(fields.Nested(_MessageSchema), load_default=list)
    attachments = fields.List(fields.Nested(_AttachmentSchema), load_default=list)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CaseEvent:
        return CaseEvent(
            **{
                **data,
                "order_ids": tuple(data["order_ids"]),
                "messages": tuple(data["messages"]),
                "attachments": tuple(data["attachments"]),
            }
        )


_EVENT = _EventSchema()
