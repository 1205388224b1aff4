"""The ledger: per record key, how far it got, how often each stage ran, and where it landed.

It is what makes every stage idempotent (a stage that already finished returns its stored
result instead of running again) and what reconciliation and `bcrm status` read. State is
kept in Redis hashes with one set per state for cheap counts; transitions are atomic and
never move a record backwards.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast

import redis
from redis.client import Pipeline
from redis.typing import EncodableT, FieldT

from pipeline.core import keys
from pipeline.core.redis_values import stream_entries, text, text_hash, text_or_none
from pipeline.core.stages import FINAL_STATES, PROGRESS, STAGES, STATES

STATE_AFTER = {stage.name: stage.state_after for stage in STAGES}
STAGE_NAMES = tuple(stage.name for stage in STAGES)
_DONE = FINAL_STATES[0]
OwedEntries = list[tuple[bytes, float]]
_RANKS = ", ".join(f"{state} = {rank}" for rank, state in enumerate(PROGRESS))

# Record facts (ARGV[5..]) and move the record to ARGV[1] unless that would undo progress:
# a declared record stays declared; a dead-lettered one moves on when a replay succeeds.
# A move takes the record from one state set to the other, globally (ARGV[2] .. state) and
# for its flow (ARGV[4] .. flow .. ':' .. state), which `bcrm status` counts per flow.
# The ranks are written from the stage enumeration.
# A declared record is final: a late stage run of the same record (a second chain owed
# by another fetch of its subject, whose render finished after the first chain declared)
# writes nothing, or its hash would replace the declared one (`bcrm demo`: a case's
# communication log, re-rendered from a later snapshot, its ledger hash no longer the
# ECM's).
_TRANSITION_SCRIPT = f"""
local current = redis.call('HGET', KEYS[1], 'state')
if current == '{_DONE}' then
  return current
end
local new = ARGV[1]
local rank = {{{_RANKS}}}
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local moves = current == false or current == 'dead_lettered'
  or (new == 'dead_lettered' and current ~= '{_DONE}')
  or (rank[new] ~= nil and rank[new] > rank[current])
if not moves then
  return current
end
local flow = redis.call('HGET', KEYS[1], 'flow') or ''
if current then
  redis.call('SREM', ARGV[2] .. current, ARGV[3])
  redis.call('SREM', ARGV[4] .. flow .. ':' .. current, ARGV[3])
end
redis.call('HSET', KEYS[1], 'state', new)
redis.call('SADD', ARGV[2] .. new, ARGV[3])
redis.call('SADD', ARGV[4] .. flow .. ':' .. new, ARGV[3])
return new
"""

# Back to pending with every stage result dropped, so the next chain runs every stage
# again; for a record the ECM lost (reconciliation's repair), never in normal flow.
_REOPEN_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'state')
if not current then
  return false
end
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(name, 1, 5) == 'done:' then
    redis.call('HDEL', KEYS[1], name)
  end
end
local flow = redis.call('HGET', KEYS[1], 'flow') or ''
redis.call('SREM', ARGV[1] .. current, ARGV[2])
redis.call('SREM', ARGV[4] .. flow .. ':' .. current, ARGV[2])
redis.call('SADD', ARGV[1] .. 'pending', ARGV[2])
redis.call('SADD', ARGV[4] .. flow .. ':pending', ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'pending', 'reopened_at', ARGV[3], 'updated_at', ARGV[3])
return current
"""


# Drop a declared record's hash and its state-set membership, only if it is still
# declared (a reopen between the check and the delete must win).
_FORGET_SCRIPT = f"""
if redis.call('HGET', KEYS[1], 'state') ~= '{_DONE}' then
  return 0
end
local flow = redis.call('HGET', KEYS[1], 'flow') or ''
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. '{_DONE}', ARGV[2])
redis.call('SREM', ARGV[3] .. flow .. ':{_DONE}', ARGV[2])
return 1
"""


# Record that a unit of work is owed before its first message is sent (`Ledger.owe`): a
# new record starts `pending` under its flow; the task and arguments its chain starts
# with are kept for the re-drive job; the unit joins the owed set unless its chain has
# already ended (`end_state`, the state its last stage leaves: a duplicate event for an
# order fetched before, a document declared before). A Lua function, so the webhook
# receiver's hand-off can owe in the same script that queues (`owe_call`).
OWE_LUA = """
local function owe(record, owed, record_key, flow, end_state, task, args, now,
                   state_prefix, flow_state_prefix)
  local state = redis.call('HGET', record, 'state')
  if state == end_state then
    return 0
  end
  if not state then
    redis.call('HSET', record, 'state', 'pending', 'flow', flow, 'created_at', now,
               'updated_at', now)
    redis.call('SADD', state_prefix .. 'pending', record_key)
    redis.call('SADD', flow_state_prefix .. flow .. ':pending', record_key)
  end
  redis.call('HSET', record, 'owed_task', task, 'owed_args', args)
  redis.call('ZADD', owed, 'NX', now, record_key)
  return 1
end
"""
_OWE_SCRIPT = OWE_LUA + "return owe(KEYS[1], KEYS[2], unpack(ARGV))"


def owe_call(
    record_key: str, flow: str, task_name: str, args: list[Any], end_state: str
) -> tuple[list[str], list[str]]:
    """The keys and arguments of `owe(...)` for one unit, in the order it takes them."""
    return (
        [keys.ledger_record(record_key), keys.LEDGER_OWED],
        [
            record_key,
            flow,
            end_state,
            task_name,
            json.dumps(args, sort_keys=True),
            _now(),
            keys.ledger_state(""),
            keys.ledger_flow_state(""),
        ],
    )


def _now() -> str:
    return f"{time.time():.3f}"


class Ledger:
    """Record state in Redis; every method is one round trip or one script."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._transition = client.register_script(_TRANSITION_SCRIPT)
        self._reopen = client.register_script(_REOPEN_SCRIPT)
        self._forget = client.register_script(_FORGET_SCRIPT)
        self._owe = client.register_script(_OWE_SCRIPT)

    @property
    def redis(self) -> redis.Redis:
        """The client the ledger writes through (the audit trail shares it)."""
        return self._client

    def _move(self, record_key: str, state: str, fields: dict[str, str]) -> str:
        flat: list[str] = []
        for name, value in fields.items():
            flat += [name, value]
        result = self._transition(
            keys=[keys.ledger_record(record_key)],
            args=[state, keys.ledger_state(""), record_key, keys.ledger_flow_state(""), *flat],
        )
        return result.decode() if isinstance(result, bytes) else str(result)

    def owe(
        self,
        record_key: str,
        flow: str,
        task_name: str,
        args: list[Any],
        end_state: str,
        pipe: Pipeline | None = None,
    ) -> None:
        """Record that the unit is owed and how its chain starts, before a producer sends
        it (see `_OWE_SCRIPT`); on `pipe` when given, so a fan-out is one round trip."""
        owe_keys, owe_args = owe_call(record_key, flow, task_name, args, end_state)
        self._owe(keys=owe_keys, args=owe_args, client=pipe)

    def settle_owed(self, record_key: str, pipe: Pipeline | None = None) -> None:
        """The unit's chain ended (its last stage finished, or it was dead-lettered and
        the dead letter now holds it): nothing is owed for it any more."""
        client = self._client if pipe is None else pipe
        client.zrem(keys.LEDGER_OWED, record_key)

    def owed_before(self, cutoff: float, limit: int = 10_000) -> list[tuple[str, float]]:
        """Owed units (record key, when owed) owed before `cutoff`, oldest first."""
        found = self._client.zrangebyscore(
            keys.LEDGER_OWED, "-inf", cutoff, start=0, num=limit, withscores=True
        )
        return [(text(member), float(score)) for member, score in cast(OwedEntries, found)]

    def owed_count(self) -> int:
        """Units owed whose chain has not ended."""
        return int(self._client.zcard(keys.LEDGER_OWED))

    def begin_stage(self, record_key: str, stage: str, task_name: str = "", flow: str = "") -> int:
        """Count one more attempt of `stage` and note which process and task run it (the
        task is what `pipeline.core.redrive` resends from); return the count. The first
        stage to see a record files it under its flow."""
        record = keys.ledger_record(record_key)
        pipe = self._client.pipeline()
        pipe.hsetnx(record, "created_at", _now())
        pipe.hsetnx(record, "flow", flow)
        pipe.hsetnx(record, "state", "pending")
        pipe.hincrby(record, f"attempts:{stage}", 1)
        pipe.hset(
            record,
            mapping={
                f"started:{stage}": _now(),
                f"pid:{stage}": os.getpid(),
                f"task:{stage}": task_name,
                "updated_at": _now(),
            },
        )
        _, _, created, attempts, _ = pipe.execute()
        if created:
            pipe = self._client.pipeline()
            pipe.sadd(keys.ledger_state("pending"), record_key)
            pipe.sadd(keys.ledger_flow_state(f"{flow}:pending"), record_key)
            pipe.execute()
        return int(attempts)

    def note_retry(self, record_key: str, pipe: Pipeline | None = None) -> None:
        """Count a retry; on `pipe` when given, to ride the caller's round trip."""
        client = self._client if pipe is None else pipe
        client.hincrby(keys.ledger_record(record_key), "retries", 1)

    def complete_stage(
        self, record_key: str, stage: str, result: dict[str, Any], **facts: str
    ) -> str:
        """Store a stage's result and advance the state; return the resulting state."""
        fields = {
            f"done:{stage}": json.dumps(result, sort_keys=True),
            f"finished:{stage}": _now(),
            "updated_at": _now(),
            **facts,
        }
        return self._move(record_key, STATE_AFTER[stage], fields)

    def before_stage(self, record_key: str, stage: str) -> tuple[dict[str, Any] | None, str | None]:
        """In one round trip: the stage's stored result if it finished, and the dead letter
        that refused the record at this stage for good (a permanent error), if any."""
        done, refused = self._client.hmget(
            keys.ledger_record(record_key), f"done:{stage}", f"refused:{stage}"
        )
        return (
            None if done is None else json.loads(done),
            text_or_none(refused),
        )

    def mark_dead(
        self, record_key: str, stage: str, dead_letter_id: str, permanent: bool = False
    ) -> str:
        """Note that `stage` gave up on the record; a declared record stays declared. A
        permanent refusal is kept per stage (`refused:<stage>`): the same input sent again
        (a poll overlap, a duplicate event) waits on that dead letter instead of filing
        another one each time."""
        fields = {"dead_stage": stage, "dead_letter_id": dead_letter_id, "updated_at": _now()}
        if permanent:
            fields[f"refused:{stage}"] = dead_letter_id
        return self._move(record_key, "dead_lettered", fields)

    def reopen(self, record_key: str) -> str | None:
        """Make a record's next chain run every stage again (its stored results would
        otherwise short-cut it); returns the state it had, None if there is no record."""
        result = self._reopen(
            keys=[keys.ledger_record(record_key)],
            args=[keys.ledger_state(""), record_key, _now(), keys.ledger_flow_state("")],
        )
        if result is None:
            return None
        return result.decode() if isinstance(result, bytes) else str(result)

    def forget_declared(self, record_key: str) -> bool:
        """Remove a declared record from Redis once the archive index holds it; False if
        it is not (or no longer) declared. Declare stays idempotent without it: the ECM's
        deterministic names make a later duplicate adopt the record filed before."""
        removed = self._forget(
            keys=[keys.ledger_record(record_key)],
            args=[keys.ledger_state(""), record_key, keys.ledger_flow_state("")],
        )
        return bool(removed)

    def get(self, record_key: str) -> dict[str, str]:
        return text_hash(self._client.hgetall(keys.ledger_record(record_key)))

    def get_many(self, record_keys: Iterable[str]) -> list[dict[str, str]]:
        pipe = self._client.pipeline(transaction=False)
        for record_key in record_keys:
            pipe.hgetall(keys.ledger_record(record_key))
        return [{k.decode(): v.decode() for k, v in raw.items()} for raw in pipe.execute()]

    def states_with_prefix(self, prefix: str) -> dict[str, set[str]]:
        """Record keys starting with `prefix`, per state (a scan: for demos and reports)."""
        return {state: self.in_state(state, prefix) for state in STATES}

    def in_state(self, state: str, prefix: str = "") -> set[str]:
        """Record keys in one state starting with `prefix` (a scan of that state only)."""
        members = self._client.sscan_iter(keys.ledger_state(state), match=f"{prefix}*", count=1000)
        return {m.decode() for m in members}

    def counts(self) -> dict[str, int]:
        """Records per state across the whole ledger."""
        pipe = self._client.pipeline(transaction=False)
        for state in STATES:
            pipe.scard(keys.ledger_state(state))
        return dict(zip(STATES, (int(n) for n in pipe.execute()), strict=True))

    def counts_by_flow(self, flows: Iterable[str]) -> dict[str, dict[str, int]]:
        """Records per state of each flow, in one round trip."""
        names = list(flows)
        pipe = self._client.pipeline(transaction=False)
        for flow in names:
            for state in STATES:
                pipe.scard(keys.ledger_flow_state(f"{flow}:{state}"))
        counts = iter(int(n) for n in pipe.execute())
        return {flow: {state: next(counts) for state in STATES} for flow in names}


def retries_of(record: dict[str, str]) -> int:
    """Retries scheduled for one record after transient errors (not redeliveries)."""
    return int(record.get("retries", 0))


def repeated_attempts_of(record: dict[str, str]) -> int:
    """Runs beyond the first of each stage: retries, redeliveries and duplicate events."""
    return sum(max(int(v) - 1, 0) for k, v in record.items() if k.startswith("attempts:"))


class AuditTrail:
    """An append-only Redis stream of what happened to which record, for auditors."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def append(
        self, event: str, record_key: str, pipe: Pipeline | None = None, **fields: str | int
    ) -> None:
        """Add one event; on `pipe` when given, to ride the caller's round trip."""
        entry: dict[FieldT, EncodableT] = {
            "event": event,
            "record_key": record_key,
            **{k: str(v) for k, v in fields.items()},
        }
        client = self._client if pipe is None else pipe
        client.xadd(keys.AUDIT_STREAM, entry)

    def read_before(self, end_ms: int, batch: int = 1000) -> Iterator[list[dict[str, str]]]:
        """Events added before `end_ms` (epoch milliseconds), oldest first, in batches."""
        cursor = "-"
        while True:
            rows = stream_entries(
                self._client.xrange(keys.AUDIT_STREAM, min=cursor, max=f"({end_ms}", count=batch)
            )
            if rows:
                yield [{"id": entry_id, **entry} for entry_id, entry in rows]
            if len(rows) < batch:
                return
            cursor = "(" + rows[-1][0]

    def trim_through(self, stream_id: str) -> int:
        """Drop every event up to and including `stream_id` (XTRIM MINID to the next id);
        returns how many went."""
        ms, seq = (int(part) for part in stream_id.split("-", 1))
        return int(
            self._client.xtrim(keys.AUDIT_STREAM, minid=f"{ms}-{seq + 1}", approximate=False)
        )

    def of_record(self, record_key: str, batch: int = 1000) -> list[dict[str, str]]:
        """A record's events still in the stream (a scan: for `bcrm record show`)."""
        return [e for e in self.read_since(0, batch) if e.get("record_key") == record_key]

    def read_since(self, start_ms: int, batch: int = 1000) -> Iterator[dict[str, str]]:
        """Every event from `start_ms` (epoch milliseconds) on, oldest first."""
        cursor = f"{start_ms}-0"
        while True:
            rows = stream_entries(self._client.xrange(keys.AUDIT_STREAM, min=cursor, count=batch))
            for entry_id, entry in rows:
                yield {"id": entry_id, **entry}
            if len(rows) < batch:
                return
            cursor = "(" + rows[-1][0]
