"""Re-drive records whose next message is gone.

kombu's Redis transport pops a message off its queue before it records the delivery in
its unacknowledged hash, so a worker (or Redis) that dies in between takes the message
with it (kombu#305, celery#4354). The chaos suite measures it: about one in ten SIGKILLed
worker nodes took a message along (`bcrm chaos workers`). The record then stays
`rendered` or `classified` in the ledger with nothing queued or in flight to move it on.
Every stage keeps its result in the ledger, and that result is the next stage's input, so
the rest of the chain can be sent again from there; the stages are idempotent, so a
resend that races a message which was not lost after all costs one skipped run.

A record counts as stalled only when the queue of its next stage is empty, no message in
flight carries its key, and it has not moved for two visibility timeouts (by then
anything a dead worker held has been restored to a queue). What a lost message leaves
with no ledger record at all is found by reconciliation, as is anything else.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis

from pipeline.core.canvas import chain_from, next_task
from pipeline.core.ledger import Ledger
from pipeline.core.queues import UNACKED_HASH, queue_depths
from pipeline.core.stages import DOCUMENT_STAGES, next_document_stage
from pipeline.runtime import services
from pipeline.runtime.log import log_event

# How often beat runs the re-drive job.
REDRIVE_INTERVAL_S = 60.0
# A record in one of these states finished the stage it names, and that stage's result is
# the input of the next stage, whose queue the message should be in: every document stage
# but the last (a fetched source fans out many documents; a declared record is done).
RESUMABLE = {s.state_after: s.name for s in DOCUMENT_STAGES if next_document_stage(s.name)}
NEXT_QUEUE = {
    stage: following.queue
    for stage in RESUMABLE.values()
    if (following := next_document_stage(stage)) is not None
}


@dataclass(frozen=True)
class Stalled:
    record_key: str
    next_task: str
    result: dict[str, Any]


def in_flight_keys(client: redis.Redis) -> set[str]:
    """Record keys of every message a worker holds (running, prefetched or waiting for a
    retry countdown): kombu keeps each as `[message, exchange, routing_key]`."""
    found = set()
    for raw in client.hvals(UNACKED_HASH):
        try:
            message = json.loads(raw)[0]
            body = json.loads(base64.b64decode(message["body"]))
            found.add(str(body[0][0]["record_key"]))
        except (ValueError, LookupError, TypeError):
            continue  # not a stage message (a control task's has no record)
    return found


def find_stalled(ledger: Ledger, client: redis.Redis, quiet_s: float) -> list[Stalled]:
    """Records whose next message is gone (see the module docstring)."""
    depths = queue_depths(client)
    holding = in_flight_keys(client)
    cutoff = time.time() - quiet_s
    stalled = []
    for state, stage in RESUMABLE.items():
        if depths[NEXT_QUEUE[stage]]:
            continue  # a backlog: the record's message may be waiting in it
        candidates = sorted(ledger.in_state(state) - holding)
        for record_key, record in zip(candidates, ledger.get_many(candidates), strict=True):
            task = record.get(f"task:{stage}", "")
            done = record.get(f"done:{stage}")
            moved = float(record.get("updated_at", 0) or 0)
            if record.get("state") != state or moved > cutoff or not done:
                continue
            following = next_task(task) if task.count(".") == 2 else None
            if following is None:
                log_event("redrive.unknown_task", logging.WARNING, record_key=record_key)
                continue
            stalled.append(Stalled(record_key, following, json.loads(done)))
    return stalled


def redrive(stalled: list[Stalled]) -> int:
    """Send each stalled record's chain again from its next stage; audit and log each."""
    audit = services.audit()
    for record in stalled:
        chain_from(record.next_task, [record.result], {}).apply_async()
        audit.append("redriven", record.record_key, task=record.next_task)
        log_event(
            "redrive.sent",
            logging.WARNING,
            record_key=record.record_key,
            task=record.next_task,
        )
    return len(stalled)
