"""The staging store: content-addressed blobs in Redis, shared by every worker.

Messages carry a blob's SHA-256 instead of the blob, so a snapshot or a rendered PDF
crosses the broker once. Blobs expire (TTL) and the store is capped in bytes: when full,
`put` raises a TransientError, which slows producers down instead of evicting anything.
"""

from __future__ import annotations

import hashlib
import time

import redis

from pipeline.core import keys
from pipeline.core.errors import PermanentError, TransientError
from pipeline.core.redis_values import blob

# Atomically: drop expired index entries, refuse if over the cap, then store or refresh.
_PUT_SCRIPT = """
local now, ttl, cap, size = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), #ARGV[2]
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
for _, digest in ipairs(expired) do
  local old = tonumber(redis.call('HGET', KEYS[3], digest) or '0')
  redis.call('HDEL', KEYS[3], digest)
  redis.call('ZREM', KEYS[2], digest)
  redis.call('HINCRBY', KEYS[3], '__total__', -old)
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
  return 1
end
local stale = redis.call('HGET', KEYS[3], ARGV[1])
if stale then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[3], '__total__', -tonumber(stale))
end
local total = tonumber(redis.call('HGET', KEYS[3], '__total__') or '0')
if total + size > cap then
  return -1
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], size)
redis.call('HINCRBY', KEYS[3], '__total__', size)
return 0
"""


class StagingFull(TransientError):
    """The staging cap is reached; retry once earlier blobs are consumed or expire."""


class BlobTooLarge(PermanentError):
    """A single blob exceeds the per-blob cap; it will never fit."""


class StagedBlobMissing(PermanentError):
    """The referenced blob expired or never existed; the canvas must restart from fetch."""


class StagingStore:
    """Blobs keyed by SHA-256, with a TTL and a total size cap, in one Redis."""

    def __init__(
        self, client: redis.Redis, ttl_s: int, max_total_bytes: int, max_blob_bytes: int
    ) -> None:
        self._client = client
        self._ttl_s = ttl_s
        self._max_total = max_total_bytes
        self._max_blob = max_blob_bytes
        self._put = client.register_script(_PUT_SCRIPT)

    def put(self, data: bytes) -> str:
        """Store `data` (or refresh its TTL if present) and return its SHA-256 hex digest."""
        if len(data) > self._max_blob:
            raise BlobTooLarge(f"blob of {len(data)} bytes exceeds the {self._max_blob} cap")
        digest = hashlib.sha256(data).hexdigest()
        outcome = self._put(
            keys=[keys.staging_blob(digest), keys.STAGING_INDEX, keys.STAGING_SIZES],
            args=[digest, data, int(time.time()), self._ttl_s, self._max_total],
        )
        if int(outcome) == -1:
            raise StagingFull(f"staging is at its cap of {self._max_total} bytes", retry_after=5)
        return digest

    def get(self, digest: str) -> bytes:
        """Fetch a blob and check it still hashes to its name."""
        reply = self._client.get(keys.staging_blob(digest))
        if reply is None:
            raise StagedBlobMissing(f"staged blob {digest} is missing or expired")
        data = blob(reply)
        if hashlib.sha256(data).hexdigest() != digest:
            raise StagedBlobMissing(f"staged blob {digest} is corrupt")
        return data

    def used_bytes(self) -> int:
        """Bytes currently accounted to unexpired blobs."""
        return int(self._client.hget(keys.STAGING_SIZES, "__total__") or 0)
