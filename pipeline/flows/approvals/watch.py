"""Flow 3's watch of changes made outside the workflow: beat owes one look per store and
poll interval (a fetch, `bcrm.fetch.governed`, so the ledger knows it before its message
exists and re-drive resends a lost one), and the look reads the governed fields
(`governed`), compares them with what was seen (`observed`) and stages every unapproved
change whose record is still owed, for the flow to file.

Products are read from the catalog checkpoint (the newest `date_modified` seen, store
clock) minus a five-minute overlap, like the order pollers; the whole catalog on the
first look and every `FULL_SWEEP` after it. One look per store at a time (a lock that
expires with the visibility timeout, like the pollers').
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.contract import FetchedSource
from pipeline.core.names import fetch_key
from pipeline.flows.approvals import observed
from pipeline.flows.approvals.governed import read_catalog, read_promotions
from pipeline.flows.approvals.unapproved import UnapprovedChange
from pipeline.flows.commerce.pollers import Checkpoints
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import clients, redis_client, settings
from pipeline.runtime.log import log_event

WATCH = "governed"
SWEEP = "governed-sweep"
FETCH_WATCH_TASK = f"bcrm.fetch.{WATCH}"
FLOW = "approvals"
OVERLAP = timedelta(minutes=5)
FULL_SWEEP = timedelta(hours=1)
# The flow whose look reads the promotions for this watch too, where it runs.
PROMOTIONS_READER = "campaigns"


@dataclass(frozen=True)
class GovernedLook:
    """One look at a store's governed fields: the unapproved changes whose record is owed
    (seen by this look or an earlier one), and the store's country for their class."""

    store_hash: str
    looked_at: str
    country: str
    changes: tuple[UnapprovedChange, ...]

    def change(self, change_id: str) -> UnapprovedChange:
        return next(c for c in self.changes if c.id == change_id)

    def to_json_bytes(self) -> bytes:
        body = {
            "store_hash": self.store_hash,
            "looked_at": self.looked_at,
            "country": self.country,
            "changes": [c.to_json() for c in self.changes],
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> GovernedLook:
        body = json.loads(raw)
        changes = tuple(UnapprovedChange.from_json(c) for c in body["changes"])
        return cls(body["store_hash"], body["looked_at"], body["country"], changes)


def watch_ref(store_hash: str, reason: str, event_id: str) -> dict[str, Any]:
    """The fetch message of one look; one per event (a beat tick), so copies of it share
    a ledger entry and look once."""
    digest = hashlib.sha256(f"{reason}\0{event_id}".encode()).hexdigest()[:16]
    return {
        "record_key": fetch_key(WATCH, store_hash, "catalog", digest),
        "store_hash": store_hash,
        "reason": reason,
    }


def enqueue_watch(store_hash: str, reason: str, event_id: str) -> str:
    """Owe and send one look; the Celery id of its message."""
    ref = watch_ref(store_hash, reason, event_id)
    [task_id] = send_owed([OwedUnit(ref["record_key"], FLOW, FETCH_WATCH_TASK, [ref])])
    return task_id


def _country(client: BigCommerceClient, owed: tuple[UnapprovedChange, ...]) -> str:
    """The store's country (`GET /v2/store` `country_code`), the records' jurisdiction,
    asked only when a record is owed (one call less per quiet look)."""
    return str(client.store_information().get("country_code") or "US") if owed else ""


def _full_sweep_due(checkpoints: Checkpoints, store_hash: str, now: datetime) -> bool:
    last = checkpoints.get(store_hash, SWEEP)
    return last is None or checkpoints.get(store_hash, WATCH) is None or now - last >= FULL_SWEEP


def take_look(
    client: BigCommerceClient,
    lock_client: redis.Redis,
    store_hash: str,
    lock_timeout_s: float,
    promotions: bool = True,
) -> GovernedLook:
    """Read, compare and remember under the store's watch lock; the look, with every
    unapproved change whose record is owed. `promotions`: read the promotions too (not
    where the campaigns flow's look reads them for this watch)."""
    checkpoints = Checkpoints(lock_client)
    lock = lock_client.lock(
        keys.poll_lock(store_hash, WATCH), timeout=lock_timeout_s, blocking_timeout=lock_timeout_s
    )
    with lock:
        now = datetime.now(UTC)
        full = _full_sweep_due(checkpoints, store_hash, now)
        since = checkpoints.get(store_hash, WATCH)
        seen = read_catalog(client, None if full or since is None else since - OVERLAP)
        if promotions:
            seen += read_promotions(client, now)
        found = observed.observe(lock_client, store_hash, seen, now)
        modified = [datetime.fromisoformat(s.modified) for s in seen if s.modified]
        if modified:
            checkpoints.advance(store_hash, WATCH, max(modified))
        if full:
            checkpoints.advance(store_hash, SWEEP, now)
        owed = tuple(observed.pending(lock_client, store_hash))
    country = _country(client, owed)
    checkpoints.polled(store_hash, WATCH, now)
    for change in found:
        log_event(
            "governed.unapproved_change",
            logging.WARNING,
            store_hash=store_hash,
            change=change.id,
            change_type=change.change_type,
            fields=sorted(change.after),
        )
    log_event(
        "governed.looked", store_hash=store_hash, targets=len(seen), full=full, owed=len(owed)
    )
    return GovernedLook(store_hash, now.isoformat(timespec="seconds"), country, owed)


class GovernedSource(FetchedSource):
    """A look at a store's governed fields (`GovernedLook`)."""

    name = WATCH
    flow = FLOW

    def load(self, raw: bytes) -> GovernedLook:
        return GovernedLook.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[GovernedLook, bytes]:
        store_hash = str(ref["store_hash"])
        look = take_look(
            clients.bigcommerce(store_hash),
            redis_client(),
            store_hash,
            float(settings().visibility_timeout),
            promotions=PROMOTIONS_READER not in settings().flow_names,
        )
        return look, look.to_json_bytes()

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """None to name: what a look owes is what the watch remembers (`documents_kept`)."""
        return []

    def read(self, store_hash: str, subject_id: str) -> GovernedLook:
        """The changes whose record is owed, as a look would stage them (without looking)."""
        owed = tuple(observed.pending(redis_client(), store_hash))
        country = _country(clients.bigcommerce(store_hash), owed)
        return GovernedLook(store_hash, datetime.now(UTC).isoformat(), country, owed)

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        enqueue_watch(store_hash, reason, event_id)
