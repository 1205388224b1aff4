"""Control tasks (queue `control`): pollers run by beat. Not stages: they own no record,
and a failed poll is simply repeated by the next tick from the same checkpoint."""

from pipeline import clients
from pipeline.celery import app
from pipeline.pollers import POLLERS, Checkpoints, poll_runs_key
from pipeline.runtime import redis_client

POLL_LOCK_TTL_S = 300


def _poll(store_hash: str, resource: str) -> int:
    """One poll per store and resource at a time, even if a tick outlives its interval."""
    lock = redis_client().lock(f"bcrm:poll-lock:{store_hash}:{resource}", timeout=POLL_LOCK_TTL_S)
    if not lock.acquire(blocking=False):
        return 0
    try:
        poll = POLLERS[resource]
        result = poll(clients.bigcommerce(store_hash), Checkpoints(redis_client()), store_hash)
        redis_client().incr(poll_runs_key(store_hash, resource))
        return result.enqueued
    finally:
        lock.release()


@app.task(name="bcrm.control.poll_orders", ignore_result=True)
def poll_store_orders(store_hash: str) -> int:
    return _poll(store_hash, "orders")


@app.task(name="bcrm.control.poll_refunds", ignore_result=True)
def poll_store_refunds(store_hash: str) -> int:
    return _poll(store_hash, "refunds")
