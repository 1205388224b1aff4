"""How full the stage queues are (their names come from the stage enumeration)."""

from __future__ import annotations

import redis

from pipeline.core.stages import QUEUES

# kombu's Redis transport keeps delivered-but-unacknowledged messages in this hash.
UNACKED_HASH = "unacked"


def queue_depths(client: redis.Redis) -> dict[str, int]:
    """Messages waiting per stage queue, plus those delivered but not yet acknowledged
    (under `unacknowledged`), in one round trip."""
    pipe = client.pipeline(transaction=False)
    for queue in QUEUES:
        pipe.llen(queue)
    pipe.hlen(UNACKED_HASH)
    counts = [int(n) for n in pipe.execute()]
    return dict(zip((*QUEUES, "unacknowledged"), counts, strict=True))


def queues_idle(client: redis.Redis) -> bool:
    """Nothing queued and nothing in flight."""
    return not any(queue_depths(client).values())
