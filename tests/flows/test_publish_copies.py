"""A copy of a publish message that finds its change request being published (another
copy holds the request's lock, or a killed worker's run left it) is dropped, not retried:
its retries would run out while the lock lives (up to the visibility timeout) and file a
dead letter for a person although nothing is wrong (`bcrm chaos publish --long` filed
eleven). The holder finishes, retries by its own message, or dies with its message
unacknowledged, which Redis delivers again; and every poll owes an approved request
again."""

from __future__ import annotations

import uuid

from pipeline.core import keys
from pipeline.flows.approvals.producer import publish_key, publish_unit
from pipeline.runtime import redis_client, services
from tasks.publish import publish_change_request


def test_a_copy_that_finds_the_lock_held_is_dropped_without_a_dead_letter() -> None:
    store_hash, change_id = "copies", f"copies-CR-{uuid.uuid4().hex[:6]}"
    [ref] = publish_unit(store_hash, change_id).args
    lock = redis_client().lock(keys.publish_lock(change_id), timeout=60)
    assert lock.acquire(blocking=False)
    try:
        result = publish_change_request.apply(args=[ref])
    finally:
        lock.release()
    assert result.state == "IGNORED"
    record = services.ledger().get(publish_key(store_hash, change_id))
    assert record["attempts:publish"] == "1" and "retries" not in record
    assert record["state"] == "pending"
    assert not [d for d in services.dead_letters().list() if d.record_key == ref["record_key"]]
