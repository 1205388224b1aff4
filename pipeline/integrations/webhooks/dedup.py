"""Recognising a delivery seen before, by the `hash` BigCommerce gives every event.

One Lua script checks the mark, records the fetch as owed in the ledger (so that a
message lost from the queue is re-driven, `pipeline.core.redrive`), queues the fetch
message, then sets the mark. Scripts run
atomically (concurrent copies of one event cannot both pass) but are not rolled back on
error, hence the order: a push that fails leaves no mark, so BigCommerce's retry is
enqueued instead of being taken for a duplicate; the reverse failure (queued, mark not
set) at worst queues a second copy, which fetch absorbs (its record key derives from the
hash). Both keys live in the one Redis bcrm uses, so no cluster-slot concerns.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from pipeline.core import keys
from pipeline.core.ledger import OWE_LUA, owe_call

_PUSH_THEN_MARK = (
    OWE_LUA
    + """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
owe(KEYS[3], KEYS[4], unpack(ARGV, 3))
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
"""
)


# What `owe_call` takes: record key, flow, first task, its arguments, the chain's end state.
OwedFetch = tuple[str, str, str, list[Any], str]


def seen_key(store_hash: str, event_hash: str) -> str:
    return keys.webhook_seen(store_hash, event_hash)


class EnqueueOnce:
    """Owe and LPUSH a message unless its event was marked seen within `ttl_s`."""

    def __init__(self, client: aioredis.Redis, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._script = client.register_script(_PUSH_THEN_MARK)

    async def push(
        self, store_hash: str, event_hash: str, queue: str, message: bytes, owed: OwedFetch
    ) -> bool:
        """True if queued now, False if the event was queued before."""
        owe_keys, owe_args = owe_call(*owed)
        keys = [seen_key(store_hash, event_hash), queue, *owe_keys]
        return bool(await self._script(keys=keys, args=[self.ttl_s, message, *owe_args]))
