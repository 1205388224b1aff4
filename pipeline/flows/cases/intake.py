"""How every intake hands a case to the pipeline: stage the event, send the case's fetch.

The helpdesk endpoint, the command line and BigCommerce's own events all end in a
`CaseEvent`, staged (its thread text and attachment references travel in staging, not in
the broker's message), and a `bcrm.fetch.case` message naming it. The fetch applies the
event to the archive index and assembles the case file; a refresh (a record of the case's
order was declared) sends the fetch without an event, at most one pending per case.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from pipeline.core import keys
from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.names import fetch_key
from pipeline.flows.cases.documents import CASE, FLOW
from pipeline.integrations.bigcommerce.errors import NotFound
from pipeline.runtime import clients, redis_client, services
from schemas.cases import CaseEvent

FETCH_CASE_TASK = "bcrm.fetch.case"
# A refresh waits this long so the records of one order fetch, declared within moments
# of each other, are taken in by one new version of the summary rather than by one each.
REFRESH_DELAY_S = 2
REFRESH_PENDING_TTL_S = 60


def case_fetch_ref(
    store_hash: str, case_id: str, reason: str, event_id: str, event: str | None = None
) -> dict[str, Any]:
    """The fetch message for one case; `event` is the staging digest of the intake event
    to apply first. Copies of one event share a ledger entry, so it is applied once."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    ref: dict[str, Any] = {
        "record_key": fetch_key(CASE, store_hash, case_id, digest),
        "store_hash": store_hash,
        "case_id": case_id,
        "reason": reason,
    }
    return ref if event is None else {**ref, "event": event}


def stage_event(event: CaseEvent) -> dict[str, Any]:
    """Stage the event; its fetch message."""
    digest = services.staging().put(event.to_json_bytes())
    return case_fetch_ref(event.store_hash, event.case_id, event.origin, event.event_id, digest)


def send_fetch(ref: dict[str, Any], countdown: float | None = None) -> str:
    """Owe the fetch in the ledger, then send it (re-drive finds it if the message is
    lost); the Celery task id."""
    unit = OwedUnit(str(ref["record_key"]), FLOW, FETCH_CASE_TASK, [ref])
    return send_owed([unit], countdown)[0]


def submit(event: CaseEvent) -> str:
    """Stage the event and send its fetch; returns once Redis has both (durable: AOF)."""
    return send_fetch(stage_event(event))


def refresh(store_hash: str, case_id: str, reason: str) -> bool:
    """Ask for the case to be assembled again soon, unless a refresh is already pending;
    True if one was sent."""
    pending = keys.case_refresh_pending(store_hash, case_id)
    if not redis_client().set(pending, "1", nx=True, ex=REFRESH_PENDING_TTL_S):
        return False
    send_fetch(case_fetch_ref(store_hash, case_id, reason, uuid.uuid4().hex), REFRESH_DELAY_S)
    return True


def refresh_started(store_hash: str, case_id: str) -> None:
    """A fetch of the case is reading the index now: a record declared from here on must
    ask for another refresh."""
    redis_client().delete(keys.case_refresh_pending(store_hash, case_id))


def unknown_order(store_hash: str, order_ids: Iterable[int]) -> int | None:
    """The first of the orders the store does not have (a case may name an order bcrm has
    not archived yet, never one that does not exist); BigCommerceUnavailable when the
    store cannot be asked now."""
    client = clients.bigcommerce(store_hash)
    for order_id in order_ids:
        try:
            client.get_order(order_id, include=())
        except NotFound:
            return order_id
    return None
