"""The case file (flow 2's source): what a case's documents show, assembled by its fetch
from the archive index (case state, records) and BigCommerce (orders, order messages),
staged as canonical JSON and rendered from.

It carries customer ids, never e-mail addresses or names: the case summary shows ids.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from schemas.cases import AttachmentRef
from schemas.snapshot import canonical_json

HOLD_NONE = "none"
HOLD_ACTIVE = "on hold"
HOLD_RELEASED = "released"


@dataclass(frozen=True)
class OrderFacts:
    """What a case shows of one of its orders (from `GET /v2/orders/{id}`)."""

    order_id: int
    customer_id: int
    status_id: int
    status: str
    date_created: datetime
    date_shipped: datetime | None
    payment_status: str
    currency_code: str
    country_iso2: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    order_id: int
    event: str


@dataclass(frozen=True)
class LogEntry:
    """One line of the communication log: an order message, the order's customer message
    or staff notes, or a helpdesk thread message."""

    at: datetime
    channel: str
    author: str
    order_id: int | None
    text: str


@dataclass(frozen=True)
class ManifestEntry:
    """A record in the case file (`in_file`) or one of its orders' records, linked."""

    record_key: str
    kind: str
    subject: str
    ecm_name: str
    node_id: int
    sha256: str
    record_date: date
    in_file: bool


@dataclass(frozen=True)
class Attachment:
    number: int
    ref: AttachmentRef


@dataclass(frozen=True)
class CaseFile:
    store_hash: str
    case_id: str
    origin: str
    reason: str
    subject: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    hold_name: str
    hold_state: str
    orders: tuple[OrderFacts, ...]
    # Orders with records in the archive index; the others are being fetched.
    archived_orders: tuple[int, ...]
    timeline: tuple[TimelineEntry, ...]
    log: tuple[LogEntry, ...]
    attachments: tuple[Attachment, ...]
    manifest: tuple[ManifestEntry, ...]

    @property
    def customer_ids(self) -> tuple[int, ...]:
        return tuple(sorted({o.customer_id for o in self.orders if o.customer_id}))

    def to_json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(json.dumps(asdict(self), default=_plain))
        return loaded

    def to_json_bytes(self) -> bytes:
        return canonical_json(self.to_json())

    @staticmethod
    def from_json_bytes(raw: bytes) -> CaseFile:
        data = json.loads(raw)
        return CaseFile(
            **{
                **data,
                "opened_at": _moment(data["opened_at"]),
                "closed_at": _maybe_moment(data["closed_at"]),
                "orders": tuple(
                    OrderFacts(
                        **{
                            **o,
                            "date_created": _moment(o["date_created"]),
                            "date_shipped": _maybe_moment(o["date_shipped"]),
                        }
                    )
                    for o in data["orders"]
                ),
                "archived_orders": tuple(data["archived_orders"]),
                "timeline": tuple(
                    TimelineEntry(**{**t, "at": _moment(t["at"])}) for t in data["timeline"]
                ),
                "log": tuple(LogEntry(**{**e, "at": _moment(e["at"])}) for e in data["log"]),
                "attachments": tuple(
                    Attachment(a["number"], AttachmentRef(**a["ref"])) for a in data["attachments"]
                ),
                "manifest": tuple(
                    ManifestEntry(**{**m, "record_date": date.fromisoformat(m["record_date"])})
                    for m in data["manifest"]
                ),
            }
        )


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe_moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
