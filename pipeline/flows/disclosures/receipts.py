"""The disclosure receipt every archived order owes: which disclosures were in force when
it was placed, and the customer's consent categories as read when the receipt was made.

The answer is frozen the first time the receipt is owed (an index row written only if
absent) and the receipt is rendered from that row, so it is never re-issued with a later,
better guess, and its fingerprint is the same on every re-fetch of the order. Freezing
waits until the evidence around the order has settled: a look of the channel at least
`SETTLE` after the order, no change webhook of the channel still on its way to the index,
and every version it names filed in the ECM. An order placed before the channel was ever
looked at freezes at once ("unknown"); one whose evidence has not settled after
`MAX_WAIT` freezes with what there is. Until then the order waits in a Redis hash that a
beat job (`release_settled`) goes through, handing each settled order to fetch again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.contract import DocumentSpec, Subject
from pipeline.flows.commerce.documents import ORDER, due_parts
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.disclosures.asof import as_of
from pipeline.flows.disclosures.index import disclosure_index
from pipeline.index.disclosures import DisclosureIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import NotFound
from schemas.snapshot import OrderSnapshot, canonical_json

RECEIPT = "disclosure_receipt"
RECEIPT_NAME = "order-{subject}-disclosure-receipt"
SETTLE = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)
CONSENT_LABEL = "as read at capture time; the API cannot say when they were given"


@dataclass(frozen=True)
class PlacedOrder:
    """What a receipt needs of an order."""

    store_hash: str
    order_id: int
    placed_at: datetime
    channel_id: int
    customer_id: int

    @classmethod
    def of(cls, snapshot: OrderSnapshot) -> PlacedOrder:
        order = snapshot.order
        return cls(
            snapshot.store_hash,
            order.id,
            order.date_created,
            order.channel_id or 1,
            order.customer_id,
        )

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "placed_at": self.placed_at.isoformat()})

    @classmethod
    def from_json(cls, raw: str | bytes) -> PlacedOrder:
        data = json.loads(raw)
        return cls(**{**data, "placed_at": datetime.fromisoformat(data["placed_at"])})


def awaiting_key(store_hash: str) -> str:
    return f"{keys.PREFIX}:disclosures:awaiting-receipt:{store_hash}"


def consent(client: BigCommerceClient, customer_id: int, now: datetime) -> dict[str, Any]:
    """The customer's consent categories now (guests have none)."""
    if customer_id <= 0:
        return {"guest": True, "allow": [], "deny": [], "label": "guest order: no consent record"}
    try:
        answer = client.customer_consent(customer_id)
    except NotFound:
        return {
            "customer_id": customer_id,
            "unavailable": "customer not found",
            "label": CONSENT_LABEL,
        }
    return {
        "customer_id": customer_id,
        "allow": sorted(answer.get("allow") or []),
        "deny": sorted(answer.get("deny") or []),
        "read_at": now.isoformat(),
        "label": CONSENT_LABEL,
    }


def settled(
    index: DisclosureIndex, client: redis.Redis, order: PlacedOrder, answer: dict[str, Any]
) -> bool:
    """Whether the evidence around the order can no longer change the answer."""
    looks = index.channel_looks(order.store_hash, order.channel_id)
    if looks is None or order.placed_at < looks[0]:
        return True
    if looks[1] < order.placed_at + SETTLE:
        return False
    if client.scard(keys.disclosure_pending(order.store_hash, order.channel_id)):
        return False
    named = [v for d in answer["disclosures"] for v in d["versions"]]
    return all(v["ecm_node_id"] is not None for v in named)


def freeze(
    index: DisclosureIndex,
    client: redis.Redis,
    bigcommerce: BigCommerceClient,
    order: PlacedOrder,
    now: datetime,
) -> dict[str, Any] | None:
    """The order's frozen receipt content, freezing it now if the evidence has settled;
    None while it has not."""
    kept = index.receipt(order.store_hash, order.order_id)
    if kept is not None:
        return kept
    answer = as_of(index, order.store_hash, order.placed_at, order.channel_id, order.order_id)
    if not settled(index, client, order, answer) and now - order.placed_at < MAX_WAIT:
        return None
    content = {
        **answer,
        "channel_id": order.channel_id,
        "consent": consent(bigcommerce, order.customer_id, now),
    }
    return index.freeze_receipt(order.store_hash, order.order_id, content, now)


def receipt_spec(store_hash: str, order_id: int, content: dict[str, Any]) -> DocumentSpec:
    return DocumentSpec(
        flow="disclosures",
        kind=RECEIPT,
        store_hash=store_hash,
        subject=Subject(ORDER, str(order_id)),
        part=None,
        fingerprint=hashlib.sha256(canonical_json(content)).hexdigest(),
    )


def owed_receipts(
    snapshot: OrderSnapshot,
    index: DisclosureIndex,
    client: redis.Redis,
    bigcommerce: BigCommerceClient,
) -> list[DocumentSpec]:
    """The receipt of an order that owes documents, once its answer is frozen; until then
    the order waits (`release_settled`)."""
    if not due_parts(snapshot):
        return []
    order = PlacedOrder.of(snapshot)
    content = freeze(index, client, bigcommerce, order, datetime.now(UTC))
    if content is None:
        client.hset(awaiting_key(order.store_hash), str(order.order_id), order.to_json())
        return []
    return [receipt_spec(order.store_hash, order.order_id, content)]


def receipt_content(snapshot: OrderSnapshot) -> dict[str, Any]:
    """The frozen content a receipt is rendered from (owed only once it exists)."""
    content = disclosure_index().receipt(snapshot.store_hash, snapshot.order.id)
    if content is None:
        raise LookupError(f"order {snapshot.order.id} has no frozen disclosure receipt")
    return content


def release_settled(
    index: DisclosureIndex, client: redis.Redis, bigcommerce: BigCommerceClient, store_hash: str
) -> int:
    """Freeze the waiting orders whose evidence has settled and fetch each again, which
    files its receipt; returns how many were released."""
    released = 0
    for field, raw in client.hgetall(awaiting_key(store_hash)).items():
        order = PlacedOrder.from_json(raw)
        if freeze(index, client, bigcommerce, order, datetime.now(UTC)) is None:
            continue
        enqueue_order_event(store_hash, order.order_id, "disclosure-receipt", "frozen")
        client.hdel(awaiting_key(store_hash), field)
        released += 1
    return released
