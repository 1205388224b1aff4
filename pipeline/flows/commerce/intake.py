"""How producers hand work to the pipeline: a reference to what changed, never a payload.

Pollers and the webhook receiver both end here. The message names the store, the order
and why; the fetch stage reads the current state from BigCommerce itself, so a stale or
reordered event can never carry stale data into a record. A polled order version also
names the staged copy of the order as listed, which fetch uses instead of reading the
order again unless a newer version of it was seen since (`order_fetch.staged_listing`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.names import fetch_key
from pipeline.flows.commerce.documents import ORDER

FETCH_ORDER_TASK = "bcrm.fetch.order"


def order_event_ref(
    store_hash: str, order_id: int, reason: str, event_id: str, listing: str | None = None
) -> dict[str, Any]:
    """The fetch message for one order event. `event_id` makes redelivered or duplicated
    copies of the same event share one ledger entry (and so run fetch once); `listing` is
    the staging digest of the order as a poll listed it, which spares fetch reading the
    order again (`order_fetch.Listing`)."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    ref = {
        "record_key": fetch_key(ORDER, store_hash, str(int(order_id)), digest),
        "store_hash": store_hash,
        "order_id": int(order_id),
        "reason": reason,
    }
    return ref if listing is None else {**ref, "listing": listing}


def enqueue_order_event(
    store_hash: str, order_id: int, reason: str, event_id: str, listing: str | None = None
) -> str:
    """Owe and publish the fetch task for an order event; returns the Celery task id.

    Returns only once Redis accepted the message, so a caller that answers a webhook
    after this call has handed the event over durably (Redis runs with AOF).
    """
    ref = order_event_ref(store_hash, order_id, reason, event_id, listing)
    [task_id] = send_owed([OwedUnit(ref["record_key"], "commerce", FETCH_ORDER_TASK, [ref])])
    return task_id
