"""The stage queues, and how full they are: one place for the names and the count.

Kept free of Celery imports so `celeryconfig` can take the names from here.
"""

from __future__ import annotations

import redis

STAGE_QUEUES = ("fetch", "render", "classify", "declare", "control")
# kombu's Redis transport keeps delivered-but-unacknowledged messages in this hash.
UNACKED_HASH = "unacked"


def queue_depths(client: redis.Redis) -> dict[str, int]:
    """Messages waiting per stage queue, plus those delivered but not yet acknowledged
    (under `unacknowledged`), in one round trip."""
    pipe = client.pipeline(transaction=False)
    for queue in STAGE_QUEUES:
        pipe.llen(queue)
    pipe.hlen(UNACKED_HASH)
    counts = [int(n) for n in pipe.execute()]
    return dict(zip((*STAGE_QUEUES, "unacknowledged"), counts, strict=True))


def queues_idle(client: redis.Redis) -> bool:
    """Nothing queued and nothing in flight."""
    return not any(queue_depths(client).values())
