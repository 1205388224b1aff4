"""The dead-letter store: what a stage gave up on, with everything needed to act on it.

kombu's Redis transport has no dead-letter destination (a rejected message is simply
deleted), so a stage that hits a permanent error or runs out of retries files an entry
here: task name, references, exception, traceback, attempts and time. Replay re-sends the
stage and the rest of its canvas; an entry is replayed at most once, and the stages are
idempotent, so replaying twice changes nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast

import redis

from pipeline.core import keys
from pipeline.core.redis_values import Reply, field_map, text, text_hash

# Claim an entry for replay exactly once: dead -> replaying.
_CLAIM_SCRIPT = """
if redis.call('HGET', KEYS[1], 'status') ~= 'dead' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'replaying')
return 1
"""


@dataclass
class DeadLetter:
    """One dead-lettered task run."""

    task_name: str
    stage: str
    args: list[Any]
    kwargs: dict[str, Any]
    exception_type: str
    exception: str
    traceback: str
    attempts: int
    task_id: str = ""
    record_key: str = ""
    flow: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    failed_at: float = field(default_factory=time.time)
    status: str = "dead"
    replayed_at: float = 0.0

    def to_redis(self) -> dict[str, str]:
        data = asdict(self)
        data["args"] = json.dumps(self.args)
        data["kwargs"] = json.dumps(self.kwargs)
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_redis(cls, raw: Mapping[Reply, Reply]) -> DeadLetter:
        data: dict[str, Any] = text_hash(raw)
        data["args"] = json.loads(data["args"])
        data["kwargs"] = json.loads(data["kwargs"])
        data["attempts"] = int(data["attempts"])
        data["failed_at"] = float(data["failed_at"])
        data["replayed_at"] = float(data["replayed_at"])
        return cls(**data)


@dataclass(frozen=True)
class DeadLetterFilter:
    """Which entries an operator means: by stage, error type, record key prefix, age."""

    stage: str | None = None
    error_type: str | None = None
    record_prefix: str | None = None
    older_than_s: float | None = None
    status: str | None = "dead"

    def matches(self, entry: DeadLetter, now: float) -> bool:
        return (
            (self.stage is None or entry.stage == self.stage)
            and (self.error_type is None or entry.exception_type == self.error_type)
            and (self.record_prefix is None or entry.record_key.startswith(self.record_prefix))
            and (self.older_than_s is None or now - entry.failed_at >= self.older_than_s)
            and (self.status is None or entry.status == self.status)
        )


class DeadLetterStore:
    """Entries as Redis hashes, indexed by failure time."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._claim = client.register_script(_CLAIM_SCRIPT)

    def add(self, entry: DeadLetter) -> str:
        pipe = self._client.pipeline()
        pipe.hset(keys.dead_letter(entry.id), mapping=field_map(entry.to_redis()))
        pipe.zadd(keys.DEAD_LETTER_INDEX, {entry.id: entry.failed_at})
        pipe.execute()
        return entry.id

    def get(self, entry_id: str) -> DeadLetter | None:
        raw = self._client.hgetall(keys.dead_letter(entry_id))
        return DeadLetter.from_redis(raw) if raw else None

    def waiting(self, entry_id: str) -> bool:
        """The entry still waits for a person: neither replayed nor being replayed."""
        return self._client.hget(keys.dead_letter(entry_id), "status") == b"dead"

    def list(self, where: DeadLetterFilter | None = None, limit: int = 1000) -> list[DeadLetter]:
        """Entries oldest first, filtered."""
        where = where or DeadLetterFilter()
        # ZRANGE without WITHSCORES: members only (redis-py's type also allows score pairs).
        members = cast(list[Reply], self._client.zrange(keys.DEAD_LETTER_INDEX, 0, -1))
        ids = [text(i) for i in members]
        pipe = self._client.pipeline(transaction=False)
        for entry_id in ids:
            pipe.hgetall(keys.dead_letter(entry_id))
        now = time.time()
        entries = [DeadLetter.from_redis(raw) for raw in pipe.execute() if raw]
        return [e for e in entries if where.matches(e, now)][:limit]

    def count(self, status: str = "dead") -> int:
        return len(self.list(DeadLetterFilter(status=status), limit=10**9))

    def replay(self, entry_id: str, send: Callable[[DeadLetter], None]) -> bool:
        """Re-send one entry through `send` if nobody has yet; return whether it was sent."""
        key = keys.dead_letter(entry_id)
        if not int(self._claim(keys=[key])):
            return False
        entry = self.get(entry_id)
        if entry is None:
            return False
        try:
            send(entry)
        except Exception:
            self._client.hset(key, "status", "dead")
            raise
        self._client.hset(key, mapping={"status": "replayed", "replayed_at": str(time.time())})
        return True

    def purge(self, entry_ids: Iterable[str]) -> int:
        """Delete entries for good; return how many existed."""
        pipe = self._client.pipeline()
        for entry_id in entry_ids:
            pipe.delete(keys.dead_letter(entry_id))
            pipe.zrem(keys.DEAD_LETTER_INDEX, entry_id)
        return sum(int(n) for n in pipe.execute()[::2])
