import json
import time

import fakeredis

from pipeline.core.ledger import AuditTrail, Ledger, repeated_attempts_of, retries_of


def test_attempts_are_counted_per_stage(fake_redis: fakeredis.FakeRedis) -> None:
    ledger = Ledger(fake_redis)
    assert ledger.begin_stage("r1", "fetch") == 1
    assert ledger.begin_stage("r1", "fetch") == 2
    assert ledger.begin_stage("r1", "render") == 1
    record = ledger.get("r1")
    assert record["state"] == "pending"
    assert repeated_attempts_of(record) == 1
    assert retries_of(record) == 0
    ledger.note_retry("r1")
    assert retries_of(ledger.get("r1")) == 1


def test_completing_stages_advances_and_stores_results(fake_redis: fakeredis.FakeRedis) -> None:
    ledger = Ledger(fake_redis)
    ledger.begin_stage("r1", "fetch")
    assert ledger.before_stage("r1", "fetch")[0] is None
    assert ledger.complete_stage("r1", "fetch", {"snapshot": "abc"}) == "fetched"
    assert ledger.before_stage("r1", "fetch")[0] == {"snapshot": "abc"}
    assert ledger.counts()["fetched"] == 1 and ledger.counts()["pending"] == 0


def test_a_late_duplicate_never_moves_a_record_backwards(fake_redis: fakeredis.FakeRedis) -> None:
    ledger = Ledger(fake_redis)
    ledger.begin_stage("r1", "fetch")
    ledger.complete_stage("r1", "declare", {"target_id": "n1"}, target_id="n1", sha256="h")
    assert ledger.complete_stage("r1", "render", {"document": "d"}, sha256="late") == "declared"
    assert ledger.mark_dead("r1", "render", "dl1") == "declared"
    assert ledger.counts()["declared"] == 1
    record = ledger.get("r1")
    assert (record["target_id"], record["sha256"]) == ("n1", "h")  # what the ECM holds
    assert "done:render" not in record and "dead_letter_id" not in record


def test_a_permanent_refusal_is_remembered_per_stage(fake_redis: fakeredis.FakeRedis) -> None:
    """So the same input sent again waits on the dead letter instead of filing another."""
    ledger = Ledger(fake_redis)
    ledger.begin_stage("r1", "fetch")
    ledger.mark_dead("r1", "fetch", "dl-transient")
    assert ledger.before_stage("r1", "fetch") == (None, None)
    ledger.mark_dead("r1", "fetch", "dl-permanent", permanent=True)
    assert ledger.before_stage("r1", "fetch") == (None, "dl-permanent")
    assert ledger.before_stage("r1", "render") == (None, None)


def test_a_replayed_dead_letter_moves_on(fake_redis: fakeredis.FakeRedis) -> None:
    ledger = Ledger(fake_redis)
    ledger.begin_stage("r1", "fetch")
    ledger.complete_stage("r1", "fetch", {})
    assert ledger.mark_dead("r1", "render", "dl1") == "dead_lettered"
    assert ledger.complete_stage("r1", "render", {}) == "rendered"
    counts = ledger.counts()
    assert counts["dead_lettered"] == 0 and counts["rendered"] == 1


def test_audit_trail_is_read_back_in_order_from_a_time(fake_redis: fakeredis.FakeRedis) -> None:
    audit = AuditTrail(fake_redis)
    start_ms = int(time.time() * 1000)
    for n in range(5):
        audit.append("declared", f"r{n}", attempt=1)
    events = list(audit.read_since(start_ms, batch=2))
    assert [e["record_key"] for e in events] == [f"r{n}" for n in range(5)]
    assert all(e["event"] == "declared" and e["attempt"] == "1" for e in events)
    assert json.loads(json.dumps(events))  # plain strings only


def test_records_count_under_their_flow_through_every_move(
    fake_redis: fakeredis.FakeRedis,
) -> None:
    ledger = Ledger(fake_redis)
    ledger.begin_stage("s/a/1", "render", "bcrm.render.document", flow="commerce")
    ledger.begin_stage("s/b/1", "render", "bcrm.render.document", flow="fulfilment")
    ledger.complete_stage("s/a/1", "render", {})
    ledger.complete_stage("s/a/1", "classify", {})
    ledger.complete_stage("s/a/1", "declare", {})
    ledger.mark_dead("s/b/1", "render", "dl-1", permanent=True)

    counts = ledger.counts_by_flow(["commerce", "fulfilment"])
    assert {s: n for s, n in counts["commerce"].items() if n} == {"declared": 1}
    assert {s: n for s, n in counts["fulfilment"].items() if n} == {"dead_lettered": 1}

    ledger.reopen("s/b/1")
    assert ledger.counts_by_flow(["fulfilment"])["fulfilment"]["pending"] == 1
    assert ledger.forget_declared("s/a/1")
    assert not any(ledger.counts_by_flow(["commerce"])["commerce"].values())
    assert ledger.counts()["declared"] == 0
