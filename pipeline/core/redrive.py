"""Re-drive units of work whose next message is gone.

kombu's Redis transport pops a message off its queue before it records the delivery in
its unacknowledged hash, so a worker (or Redis) that dies in between takes the message
with it (kombu#305, celery#4354). The chaos suite measures it: about one in ten SIGKILLed
worker nodes took a message along (`bcrm chaos workers`). Any message can be the one: a
producer's fetch, the render message a fetch sent, a classify or declare message.

Nothing is sent without the ledger knowing it is owed (`canvas.send_owed` writes the
unit, with the task and arguments its chain starts with, before the message), and every
stage keeps its result in the ledger, which is the next stage's input. So for any owed
unit the rest of its chain can be sent again from where it stands: from the start if no
stage finished, else from the stage after the last one that did. The stages are
idempotent, so a resend that races a message which was not lost after all costs one
skipped run.

A unit counts as stalled only when the queue its next message goes to is empty, no
message in flight carries its key, and it has not moved for two visibility timeouts (by
then anything a dead worker held has been restored to a queue). Records owed before the
ledger kept owed units (an upgrade with work in flight) are still found from the states
they wait in; reconciliation remains the nightly net for what the store changed while
bcrm was down.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis

from pipeline.core import counters
from pipeline.core.canvas import chain_from, next_task
from pipeline.core.ledger import Ledger
from pipeline.core.queues import UNACKED_HASH, queue_depths
from pipeline.core.stages import DOCUMENT_STAGES, STAGES, next_document_stage
from pipeline.runtime import redis_client, services
from pipeline.runtime.log import log_event

# How often beat runs the re-drive job.
REDRIVE_INTERVAL_S = 60.0
# States a record waits in for the next document stage's message (the ledger's view
# before it kept owed units: every document stage but the last).
RESUMABLE = {s.state_after: s.name for s in DOCUMENT_STAGES if next_document_stage(s.name)}


@dataclass(frozen=True)
class Stalled:
    """A unit whose next message is gone: the task to send again and its arguments."""

    record_key: str
    next_task: str
    args: list[Any]
    flow: str

    @property
    def stage(self) -> str:
        return self.next_task.split(".")[1]


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


def resume_point(record: dict[str, str]) -> tuple[str, list[Any]] | None:
    """The task that continues the record's chain and its arguments: the stage after the
    last one that finished, or the owed start when none did; None once the chain ended
    (or the record holds neither, which only a hand-made ledger entry could)."""
    for stage in reversed(STAGES):
        done = record.get(f"done:{stage.name}")
        if done is None:
            continue
        following = next_task(record.get(f"task:{stage.name}", ""))
        return None if following is None else (following, [json.loads(done)])
    if "owed_task" in record:
        return record["owed_task"], json.loads(record["owed_args"])
    return None


def find_stalled(ledger: Ledger, client: redis.Redis, quiet_s: float) -> list[Stalled]:
    """Units whose next message is gone (see the module docstring); units found at the
    end of their chain (a duplicate that finished after a resend) are settled on the way."""
    depths = queue_depths(client)
    holding = in_flight_keys(client)
    cutoff = time.time() - quiet_s
    owed = {key for key, _ in ledger.owed_before(cutoff)}
    waiting = set().union(*(ledger.in_state(state) for state in RESUMABLE))
    candidates = sorted((owed | waiting) - holding)
    stalled, ended = [], []
    for record_key, record in zip(candidates, ledger.get_many(candidates), strict=True):
        if float(record.get("updated_at", 0) or 0) > cutoff:
            continue
        point = resume_point(record)
        if point is None:
            ended.append(record_key)
            continue
        task, args = point
        if depths.get(task.split(".")[1]):
            continue  # a backlog: the unit's message may be waiting in it
        stalled.append(Stalled(record_key, task, args, record.get("flow", "")))
    with client.pipeline(transaction=False) as pipe:
        for record_key in ended:
            if record_key in owed:
                ledger.settle_owed(record_key, pipe)
        pipe.execute()
    return stalled


def redrive(stalled: list[Stalled]) -> int:
    """Send each stalled unit's chain again from where it stands; audit, count and log each."""
    audit = services.audit()
    for unit in stalled:
        chain_from(unit.next_task, unit.args, {}).apply_async()
        with redis_client().pipeline(transaction=False) as pipe:
            audit.append("redriven", unit.record_key, pipe, task=unit.next_task)
            counters.stage_redriven(pipe, unit.flow, unit.stage)
            pipe.execute()
        log_event(
            "redrive.sent",
            logging.WARNING,
            record_key=unit.record_key,
            task=unit.next_task,
            flow=unit.flow,
        )
    return len(stalled)


def oldest_stalled_age(ledger: Ledger, client: redis.Redis, now: float) -> float | None:
    """Seconds since the oldest owed unit with nothing in flight was owed (None: none),
    for `bcrm status`: a large figure means work is waiting that nothing carries."""
    holding = in_flight_keys(client)
    for record_key, owed_at in ledger.owed_before(now, limit=1000):
        if record_key not in holding:
            return round(now - owed_at, 1)
    return None
