"""Recognising a delivery seen before, by the `hash` BigCommerce gives every event.

One Lua script checks the mark, queues the fetch message, then sets the mark. Scripts run
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

# A third key, when given, is a set the event's hash joins as it is queued (a channel's
# disclosure changes not yet in the archive index, `keys.disclosure_pending`).
_PUSH_THEN_MARK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
if #KEYS > 2 then redis.call('SADD', KEYS[3], ARGV[3]) end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
"""


def seen_key(store_hash: str, event_hash: str) -> str:
    return keys.webhook_seen(store_hash, event_hash)


class EnqueueOnce:
    """LPUSH a message unless its event was marked seen within `ttl_s`."""

    def __init__(self, client: aioredis.Redis, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._script = client.register_script(_PUSH_THEN_MARK)

    async def push(
        self,
        store_hash: str,
        event_hash: str,
        queue: str,
        message: bytes,
        pending: str | None = None,
    ) -> bool:
        """True if queued now, False if the event was queued before; `pending` names a
        set the hash joins with the message."""
        keys = [seen_key(store_hash, event_hash), queue]
        args: list[Any] = [self.ttl_s, message]
        if pending is not None:
            keys.append(pending)
            args.append(event_hash)
        return bool(await self._script(keys=keys, args=args))
