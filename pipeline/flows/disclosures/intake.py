"""How producers ask for a look at a channel's disclosures: a reference, never content.

Beat's poll and the webhook receiver both end in a fetch message for
`bcrm.fetch.disclosures` naming the store, the channel, why, and (for a webhook) the
change event, which the look records in the archive index before it reads. The event id
makes duplicated copies of one event share a ledger entry, so they look once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.names import fetch_key

DISCLOSURES = "disclosures"
FETCH_DISCLOSURES_TASK = "bcrm.fetch.disclosures"


def look_ref(
    store_hash: str,
    channel_id: int,
    reason: str,
    event_id: str,
    event: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fetch message of one look; `event` is a change webhook's facts
    (`hash`, `kind`, `subject`, `scope`, `occurred_at` as unix seconds)."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    ref: dict[str, Any] = {
        "record_key": fetch_key(DISCLOSURES, store_hash, str(int(channel_id)), digest),
        "store_hash": store_hash,
        "channel_id": int(channel_id),
        "reason": reason,
    }
    return ref if event is None else {**ref, "event": event}


def enqueue_look(store_hash: str, channel_id: int, reason: str, event_id: str) -> str:
    """Owe and publish one look; returns the Celery task id."""
    ref = look_ref(store_hash, channel_id, reason, event_id)
    [task_id] = send_owed([OwedUnit(ref["record_key"], DISCLOSURES, FETCH_DISCLOSURES_TASK, [ref])])
    return task_id
