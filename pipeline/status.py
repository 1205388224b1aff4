"""What `bcrm status` shows an operator: is work flowing, and where is it stuck?"""

from __future__ import annotations

from typing import Any

from pipeline import services
from pipeline.runtime import redis_client

STAGE_QUEUES = ("fetch", "render", "classify", "declare", "control")
# kombu's Redis transport keeps delivered-but-unacknowledged messages in this hash.
UNACKED_HASH = "unacked"


def collect_status() -> dict[str, dict[str, Any]]:
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    for queue in STAGE_QUEUES:
        pipe.llen(queue)
    pipe.hlen(UNACKED_HASH)
    *depths, unacked = pipe.execute()
    return {
        "queues": {**dict(zip(STAGE_QUEUES, depths, strict=True)), "unacknowledged": unacked},
        "ledger": services.ledger().counts(),
        "dead_letters": {
            "dead": services.dead_letters().count("dead"),
            "replayed": services.dead_letters().count("replayed"),
        },
    }
