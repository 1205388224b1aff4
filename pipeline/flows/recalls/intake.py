"""How a recall is handed to the pipeline: a `bcrm.fetch.recall` message, owed in the ledger
first (re-drive finds it if the message is lost), as flow 2's case fetches are.

Every fetch reads the recall afresh from the archive index, so one sent for any reason
(the ECM poller saw a change, an order with a recalled item was archived, a scan found
more orders, a new week began, a person handed in a file) brings every document up to
date. A file handed in travels in staging, named by its digest in the message.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict
from typing import Any

from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.names import fetch_key
from pipeline.flows.recalls.documents import FLOW, RECALL
from pipeline.flows.recalls.recall_file import AttachedFile
from pipeline.runtime import services

FETCH_TASK = "bcrm.fetch.recall"


def fetch_ref(
    store_hash: str,
    recall_id: str,
    reason: str,
    event_id: str,
    attachment: AttachedFile | None = None,
) -> dict[str, Any]:
    """The fetch message; copies of one event share a ledger entry (fetched once)."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    ref: dict[str, Any] = {
        "record_key": fetch_key(RECALL, store_hash, recall_id, digest),
        "store_hash": store_hash,
        "recall_id": recall_id,
        "reason": reason,
    }
    return ref if attachment is None else {**ref, "attachment": asdict(attachment)}


def send_fetch(ref: dict[str, Any]) -> str:
    """Owe the fetch in the ledger, then send it; the Celery task id."""
    return send_owed([OwedUnit(str(ref["record_key"]), FLOW, FETCH_TASK, [ref])])[0]


def refresh(store_hash: str, recall_id: str, reason: str, event_id: str | None = None) -> str:
    """A fetch of the recall for `reason`; `event_id` makes repeats of one cause one fetch
    (a poll's change, a week), else every call is its own."""
    return send_fetch(fetch_ref(store_hash, recall_id, reason, event_id or uuid.uuid4().hex))


def hand_in(
    store_hash: str, recall_id: str, kind: str, name: str, content_type: str, data: bytes
) -> str:
    """Stage a file a person handed in and send the fetch that files it."""
    digest = services.staging().put(data)
    attached = AttachedFile(
        kind=kind,
        name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        digest=digest,
    )
    return send_fetch(fetch_ref(store_hash, recall_id, f"attach-{kind}", attached.sha256, attached))
