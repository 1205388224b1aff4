"""Recognising a delivery seen before, by the `hash` BigCommerce gives every event.

A mark goes through two states: `pending` while its first receiver enqueues it (short
TTL), then `done` (long TTL) once the enqueue returned. A receiver that dies mid-way
leaves only a pending mark, which expires before BigCommerce's first retry (60 s), so the
retry is enqueued instead of being mistaken for a duplicate. A failed enqueue deletes its
pending mark at once.
"""

from __future__ import annotations

import enum

import redis.asyncio as aioredis

from pipeline.keys import PREFIX

PENDING_TTL_S = 30

_CLAIM = """
if redis.call('SET', KEYS[1], 'pending', 'NX', 'EX', ARGV[1]) then return 'claimed' end
return redis.call('GET', KEYS[1])
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == 'pending' then return redis.call('DEL', KEYS[1]) end
return 0
"""


def seen_key(store_hash: str, event_hash: str) -> str:
    return f"{PREFIX}:webhooks:seen:{store_hash}:{event_hash}"


class Mark(enum.Enum):
    CLAIMED = "claimed"  # ours to enqueue
    PENDING = "pending"  # another request is enqueueing it right now
    DONE = "done"  # enqueued before: a duplicate


class Deduplicator:
    def __init__(self, client: aioredis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    async def claim(self, store_hash: str, event_hash: str) -> Mark:
        state = await self._claim(keys=[seen_key(store_hash, event_hash)], args=[PENDING_TTL_S])
        return Mark(state.decode() if isinstance(state, bytes) else state)

    async def confirm(self, store_hash: str, event_hash: str) -> None:
        await self.client.set(seen_key(store_hash, event_hash), "done", ex=self.ttl_s)

    async def release(self, store_hash: str, event_hash: str) -> None:
        await self._release(keys=[seen_key(store_hash, event_hash)])
