"""When has the pipeline finished what a store owes? The wait `bcrm demo` and `bcrm chaos`
share: every fetch done, every document it fanned out declared or dead-lettered, nothing
queued or in flight, no subject a flow holds back (a receipt waiting for its evidence),
and two full polls since the last work was seen (so a change the store made meanwhile has
been picked up)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis

from pipeline.core import registry
from pipeline.core.names import store_prefixes
from pipeline.core.queues import queues_idle
from pipeline.core.stages import FINAL_STATES, STAGES
from pipeline.flows.commerce.documents import ORDER
from pipeline.ops.status import polls_completed
from pipeline.runtime import redis_client, services

POLL_S = 0.5
FINAL_DOCUMENT_STATES = FINAL_STATES
_FETCH_DONE = f"done:{next(stage.name for stage in STAGES if stage.entry)}"


def subject_of(fetch_key: str) -> str:
    """`<store>:<source>:<id>:fetch:<digest>` → `<source>:<id>`: what was fetched."""
    return ":".join(fetch_key.split(":")[1:3])


def orders_of(fetch_keys: Iterable[str]) -> set[str]:
    """The orders among the subjects these fetches read: what the demo counts as orders
    found and fetched (a disclosures look, say, fetches a channel)."""
    subjects = {subject_of(key) for key in fetch_keys}
    return {subject for subject in subjects if subject.startswith(f"{ORDER}:")}


@dataclass
class Snapshot:
    """The ledger's view of one store's run at one moment."""

    fetches: dict[str, set[str]]
    documents: dict[str, set[str]]

    @property
    def documents_total(self) -> int:
        return sum(len(keys) for keys in self.documents.values())

    @property
    def documents_settled(self) -> int:
        return sum(len(self.documents[s]) for s in FINAL_DOCUMENT_STATES)

    @property
    def subjects_fetched(self) -> int:
        """Orders (subjects) fetched at least once; a subject is fetched again per event
        that reports a change, so this is not the number of fetches."""
        return len(orders_of(self.fetches.get("fetched", ())))

    @property
    def fetches_open(self) -> int:
        return len(self.fetches["pending"])

    @property
    def open(self) -> bool:
        return bool(self.fetches_open or self.documents_settled < self.documents_total)


def look(store_hash: str) -> Snapshot:
    """Every flow's work units (fetches) and documents of the store."""
    ledger = services.ledger()
    units, documents = store_prefixes(store_hash)
    return Snapshot(ledger.states_with_prefix(units), ledger.states_with_prefix(documents))


def documents_fanned_out(fetch_keys: Iterable[str]) -> set[str]:
    """Record keys of the documents these fetches started chains for, from the results the
    ledger keeps: known as soon as the fetch finished, before any chain ran."""
    records = services.ledger().get_many(sorted(fetch_keys))
    results = [json.loads(record[_FETCH_DONE]) for record in records if _FETCH_DONE in record]
    return {key for result in results for key in result.get("documents", ())}


def wait_until(condition: Callable[[], bool], deadline: float, what: str) -> None:
    """Until `condition()` holds; a TimeoutError naming `what` past `deadline` (monotonic)."""
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the demo timed out waiting for {what}")
        time.sleep(POLL_S)


def units_waiting(store_hash: str) -> int:
    """Work the flows hold back outside the ledger (see `Flow.units_waiting`)."""
    client = redis_client()
    return sum(flow.units_waiting(client, store_hash) for flow in registry.flows().values())


def poll_runs(store_hash: str) -> int:
    """Completed polls of the store: the fewest of any polled stream of any flow."""
    return min(polls_completed(redis_client(), store_hash).values(), default=0)


def wait_until_settled(
    store_hash: str,
    deadline: float,
    on_progress: Callable[[Snapshot], None] = lambda seen: None,
    stall_s: float | None = None,
) -> bool:
    """True once the store's run is settled. With `stall_s`, False once records stayed
    open while nothing was queued or in flight for that long: their messages are gone
    (a broker that lost its last writes) and only reconciliation can bring them back."""
    quiet_since = -1
    idle_since: float | None = None
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        try:
            seen = look(store_hash)
            idle = queues_idle(redis_client()) and not units_waiting(store_hash)
            runs = poll_runs(store_hash)
        except redis.ConnectionError:  # a broker restart: wait for it like the fleet does
            quiet_since, idle_since = -1, None
            continue
        on_progress(seen)
        if quiet_since < 0 or not idle or seen.open:
            quiet_since = runs
        elif runs >= quiet_since + 2:
            return True
        idle_since = (idle_since or time.monotonic()) if idle and seen.open else None
        if stall_s is not None and idle_since and time.monotonic() - idle_since > stall_s:
            return False
    raise TimeoutError("the pipeline did not settle before the timeout")
