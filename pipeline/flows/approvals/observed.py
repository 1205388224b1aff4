"""The watch's memory in Redis: per target, the governed fields as last seen and as last
sanctioned; what the publish stage is about to write (its intents); every unapproved
change seen, which of them still owe their record, and what became of them.

A target's first observation is its baseline: nothing to compare with is no change. A
field that moved is explained when it returned to its sanctioned value (a revert, or an
edit undone) or when a publish intent for the target names the new value; it is then the
sanctioned value. The publish stage writes its intent before it writes to BigCommerce, so
no look can see a published value before its explanation. What is left is an unapproved
change, one per target, change type and look, numbered per target.

Everything one look decides is written in one MULTI, with the metric's counts: a crash
before it leaves nothing half-seen (the next look decides the same again, under the same
numbers), after it each change is pending until its record is declared, and every look
owes the pending ones again (the ledger runs each record's chain once).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.redis_values import text
from pipeline.flows.approvals.change_request import ChangeRequest, canonical
from pipeline.flows.approvals.governed import Observation, by_change_type
from pipeline.flows.approvals.targets import target_of
from pipeline.flows.approvals.unapproved import UnapprovedChange

# An intent whose value never showed (the write failed for good, the change was refused)
# explains nothing after this long; the longest approval stays valid 366 days.
INTENT_TTL_S = 400 * 86_400


def _intent_field(target: str, change_id: str) -> str:
    return f"{target} {change_id}"


def expect(client: redis.Redis, change: ChangeRequest) -> None:
    """The publish stage is about to write `change`: a look that sees its values must not
    take them for someone else's. A creation (a promotion, a refund) has no target a look
    knows yet: its first sighting is a baseline anyway."""
    if target_of(change).creates:
        return
    value = json.dumps({"after": canonical(change.after), "at": time.time()}, sort_keys=True)
    client.hset(
        keys.governed_intents(change.store_hash), _intent_field(change.target, change.id), value
    )


def forget(client: redis.Redis, change: ChangeRequest) -> None:
    """The change was refused: nothing of it will be written."""
    client.hdel(keys.governed_intents(change.store_hash), _intent_field(change.target, change.id))


def _intents(client: redis.Redis, store_hash: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per target, (hash field, intent) of every intent."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for field, raw in client.hgetall(keys.governed_intents(store_hash)).items():
        name = text(field)
        found.setdefault(name.split(" ", 1)[0], []).append((name, json.loads(raw)))
    return found


def _explained(
    name: str, seen: Observation, sanctioned: dict[str, Any], intents: Iterable[dict[str, Any]]
) -> bool:
    value = seen.fields[name]
    if value == sanctioned.get(name) or (name == "status" and value == "DISABLED" and seen.lapsed):
        return True
    return any(name in i["after"] and i["after"][name] == value for i in intents)


def _fulfilled(
    seen: Observation, intents: Iterable[tuple[str, dict[str, Any]]], now: float
) -> list[str]:
    """Intents the look saw written (or too old to explain anything any more)."""
    return [
        field
        for field, intent in intents
        if now - float(intent["at"]) > INTENT_TTL_S
        or all(seen.fields.get(k, v) == v for k, v in intent["after"].items())
    ]


def observe(
    client: redis.Redis, store_hash: str, observations: list[Observation], now: datetime
) -> list[UnapprovedChange]:
    """Compare a look's observations with what was seen before, remember them, and return
    the unapproved changes among them (see the module docstring). Called by one look of
    the store at a time (the look's lock)."""
    if not observations:
        return []
    observed = keys.governed_observed(store_hash)
    entries = client.hmget(observed, [seen.target for seen in observations])
    intents = _intents(client, store_hash)
    at = now.isoformat(timespec="seconds")
    found: list[UnapprovedChange] = []
    pipe = client.pipeline(transaction=True)
    for seen, raw in zip(observations, entries, strict=True):
        if raw is None:
            entry = {"fields": seen.fields, "sanctioned": seen.fields, "changes": 0}
            pipe.hset(observed, seen.target, json.dumps(entry, sort_keys=True))
            continue
        entry = json.loads(raw)
        before, sanctioned = entry["fields"], entry["sanctioned"]
        moved = [name for name in seen.fields if seen.fields[name] != before.get(name)]
        if not moved:
            continue
        targeted = [intent for _, intent in intents.get(seen.target, [])]
        unexplained = []
        for name in moved:
            if _explained(name, seen, sanctioned, targeted):
                sanctioned[name] = seen.fields[name]
            else:
                unexplained.append(name)
        for change_type, names in by_change_type(seen.target, unexplained, seen.fields):
            entry["changes"] += 1
            found.append(
                UnapprovedChange(
                    store_hash=store_hash,
                    target=seen.target,
                    number=entry["changes"],
                    change_type=change_type,
                    before={name: before.get(name) for name in names},
                    after={name: seen.fields[name] for name in names},
                    sanctioned={name: sanctioned.get(name) for name in names},
                    observed_at=at,
                    modified=seen.modified,
                )
            )
        entry["fields"] = seen.fields
        pipe.hset(observed, seen.target, json.dumps(entry, sort_keys=True))
    for change in found:
        pipe.hset(keys.unapproved_changes(store_hash), change.id, change.dumps())
        pipe.sadd(keys.unapproved_pending(store_hash), change.id)
        for name in change.after:
            pipe.hincrby(keys.metrics_unapproved(store_hash), name, 1)
    for seen in observations:
        done = _fulfilled(seen, intents.get(seen.target, []), now.timestamp())
        if done:
            pipe.hdel(keys.governed_intents(store_hash), *done)
    pipe.execute()
    return found


def _changes(client: redis.Redis, store_hash: str, ids: list[str]) -> list[UnapprovedChange]:
    if not ids:
        return []
    rows = client.hmget(keys.unapproved_changes(store_hash), ids)
    return [UnapprovedChange.from_json(json.loads(raw)) for raw in rows if raw is not None]


def pending(client: redis.Redis, store_hash: str) -> list[UnapprovedChange]:
    """Changes whose record is not declared yet, in id order."""
    ids = sorted(text(m) for m in client.smembers(keys.unapproved_pending(store_hash)))
    return _changes(client, store_hash, ids)


def settle(client: redis.Redis, store_hash: str, change_id: str) -> None:
    """The change's record is declared: no look owes it any more."""
    client.srem(keys.unapproved_pending(store_hash), change_id)


def every_change(client: redis.Redis, store_hash: str) -> list[UnapprovedChange]:
    """Every unapproved change seen in the store, oldest first."""
    rows = client.hvals(keys.unapproved_changes(store_hash))
    changes = [UnapprovedChange.from_json(json.loads(raw)) for raw in rows]
    return sorted(changes, key=lambda c: (c.observed_at, c.id))


def note_outcome(client: redis.Redis, store_hash: str, change_id: str, **facts: str) -> None:
    """What became of a change (`revert`, `result`; `acknowledged_by`, `at`)."""
    key = keys.unapproved_outcomes(store_hash)
    current = client.hget(key, change_id)
    merged = {**(json.loads(current) if current else {}), **facts}
    client.hset(key, change_id, json.dumps(merged, sort_keys=True))


def outcomes(client: redis.Redis, store_hash: str) -> dict[str, dict[str, str]]:
    raw = client.hgetall(keys.unapproved_outcomes(store_hash))
    return {text(k): json.loads(v) for k, v in raw.items()}


def is_open(outcome: dict[str, str] | None) -> bool:
    """Needs a person: neither reverted (published or found already restored) nor
    acknowledged."""
    outcome = outcome or {}
    return "acknowledged_by" not in outcome and outcome.get("result") not in (
        "published",
        "adopted",
    )


def counts(client: redis.Redis, store_hash: str) -> dict[str, int]:
    """Per field, how many unapproved changes of it were seen (the metric)."""
    raw = client.hgetall(keys.metrics_unapproved(store_hash))
    return {text(k): int(v) for k, v in raw.items()}
