"""Flow 7's memory in Redis: per promotion, which versions were seen; every version,
exception and closeout found, which of them still owe their record, and the count of
exceptions per check (the metric).

A version is one distinct body (its fingerprint). A promotion that goes back to an
earlier version files nothing new: that version's record is in the ECM already, with the
same bytes a second record would have (a declared record is never changed, and the
record key derives from the fingerprint, as flow 4 does for a disclosure text that comes
back). The return is counted (`returns`) and logged, and the exceptions of the version
it returned to are already on record; the version before it stays superseded in the ECM
by the later one, so "which version is current" is answered by the look, not by the
ECM's supersession chain, after a return.

Everything one look decides is written in one MULTI: a crash before it leaves nothing
half-seen (the next look decides the same again), after it each item is pending until
its record is declared, and every look owes the pending ones again (the ledger runs each
record's chain once). One look per store at a time (the look's lock).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import redis

from pipeline.core import keys
from pipeline.core.redis_values import text
from pipeline.flows.campaigns import items
from pipeline.flows.campaigns.items import Item, PromotionVersion


def seen(client: redis.Redis, store_hash: str, subjects: list[str]) -> dict[str, dict]:
    """Per subject, what was seen of it before (`fingerprint`, `versions`, `returns`)."""
    if not subjects:
        return {}
    rows = client.hmget(keys.campaigns_seen(store_hash), subjects)
    return {s: json.loads(raw) for s, raw in zip(subjects, rows, strict=True) if raw is not None}


def known(client: redis.Redis, store_hash: str, ids: Iterable[str]) -> set[str]:
    """Which of the item ids were found before."""
    wanted = list(ids)
    if not wanted:
        return set()
    rows = client.hmget(keys.campaigns_items(store_hash), wanted)
    return {i for i, raw in zip(wanted, rows, strict=True) if raw is not None}


def remember(
    client: redis.Redis,
    store_hash: str,
    entries: dict[str, dict],
    found: list[Item],
    counted: Callable[[Item], str | None],
) -> None:
    """Write one look's decisions: the subjects' entries, the new items (pending) and the
    metric, all at once."""
    pipe = client.pipeline(transaction=True)
    for subject, entry in entries.items():
        pipe.hset(keys.campaigns_seen(store_hash), subject, json.dumps(entry, sort_keys=True))
    for item in found:
        pipe.hset(keys.campaigns_items(store_hash), item.id, items.dumps(item))
        pipe.sadd(keys.campaigns_pending(store_hash), item.id)
        label = counted(item)
        if label is not None:
            pipe.hincrby(keys.metrics_campaign_exceptions(store_hash), label, 1)
    pipe.execute()


def _items(client: redis.Redis, store_hash: str, ids: list[str]) -> list[Item]:
    if not ids:
        return []
    rows = client.hmget(keys.campaigns_items(store_hash), ids)
    return [items.loads(raw) for raw in rows if raw is not None]


def pending(client: redis.Redis, store_hash: str) -> list[Item]:
    """Items whose record is not declared yet, in id order."""
    ids = sorted(text(m) for m in client.smembers(keys.campaigns_pending(store_hash)))
    return _items(client, store_hash, ids)


def settle(client: redis.Redis, store_hash: str, item_id: str) -> None:
    """The item's record is declared: no look owes it any more."""
    client.srem(keys.campaigns_pending(store_hash), item_id)


def every_item(client: redis.Redis, store_hash: str) -> list[Item]:
    """Every item found in the store, in id order."""
    raw = client.hgetall(keys.campaigns_items(store_hash))
    return [items.loads(raw[k]) for k in sorted(raw, key=text)]


def versions(client: redis.Redis, store_hash: str) -> list[PromotionVersion]:
    return [i for i in every_item(client, store_hash) if isinstance(i, PromotionVersion)]


def counts(client: redis.Redis, store_hash: str) -> dict[str, int]:
    """Per check, how many exceptions of it were found (the metric)."""
    raw = client.hgetall(keys.metrics_campaign_exceptions(store_hash))
    return {text(k): int(v) for k, v in raw.items()}
