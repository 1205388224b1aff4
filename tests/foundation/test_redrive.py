"""Work whose next message died with a worker or the broker is found and sent again,
from whichever stage it had reached, the first included."""

from __future__ import annotations

import base64
import json
import uuid

import fakeredis
import pytest

from pipeline.core import keys
from pipeline.core.canvas import OwedUnit, chain_from, send_owed
from pipeline.core.ledger import Ledger
from pipeline.core.queues import UNACKED_HASH
from pipeline.core.redrive import find_stalled, in_flight_keys, oldest_stalled_age, redrive
from pipeline.devtools import canary as skeleton
from pipeline.devtools.canary import PlaceholderItem
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from tests.support import lose_messages, wait_for


def _envelope(record_key: str) -> dict[str, object]:
    body = base64.b64encode(json.dumps([[{"record_key": record_key}], {}, {}]).encode())
    return {"body": body.decode(), "headers": {}}


def _queued(record_key: str) -> bytes:
    """A stage message as it waits in a queue."""
    return json.dumps(_envelope(record_key)).encode()


def _message(record_key: str) -> bytes:
    """A stage message as kombu keeps it while a worker holds it."""
    return json.dumps([_envelope(record_key), "", "declare"]).encode()


def _classified(ledger: Ledger, record_key: str) -> None:
    ledger.begin_stage(record_key, "classify", "bcrm.classify.placeholder")
    ledger.complete_stage(record_key, "classify", {"record_key": record_key, "x": 1})


def _owe(ledger: Ledger, record_key: str, task: str = "bcrm.fetch.placeholder") -> None:
    ledger.owe(record_key, "canary", task, [{"record_key": record_key}], "declared")


def test_only_a_classified_record_with_nothing_queued_or_in_flight_is_stalled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = fakeredis.FakeRedis()
    ledger = Ledger(client)
    for key in ("s/lost", "s/held", "s/quiet"):
        _classified(ledger, key)
    client.hset(UNACKED_HASH, "tag-1", _message("s/held"))
    client.hset(UNACKED_HASH, "tag-2", b'[{"body": "not a stage message"}, "", "control"]')
    assert in_flight_keys(client) == {"s/held"}
    assert find_stalled(ledger, client, quiet_s=60) == []  # all moved just now
    [stalled] = [s for s in find_stalled(ledger, client, quiet_s=0) if s.record_key == "s/lost"]
    assert stalled.next_task == "bcrm.declare.placeholder"
    assert stalled.args == [{"record_key": "s/lost", "x": 1}]
    assert {s.record_key for s in find_stalled(ledger, client, quiet_s=0)} == {"s/lost", "s/quiet"}
    client.lpush("declare", _queued("s/quiet"), b"not a stage message")
    assert {s.record_key for s in find_stalled(ledger, client, quiet_s=0)} == {"s/lost"}
    monkeypatch.setattr("pipeline.core.redrive.QUEUE_SCAN_LIMIT", 1)
    assert find_stalled(ledger, client, quiet_s=0) == []  # its message may be in the backlog


def test_work_owed_before_any_stage_ran_is_sent_again_from_its_start() -> None:
    client = fakeredis.FakeRedis()
    ledger = Ledger(client)
    _owe(ledger, "s/never-ran")
    record = ledger.get("s/never-ran")
    assert (record["state"], record["flow"]) == ("pending", "canary")
    assert client.sismember(keys.ledger_flow_state("canary:pending"), "s/never-ran")
    [stalled] = find_stalled(ledger, client, quiet_s=0)
    assert (stalled.next_task, stalled.stage, stalled.flow) == (
        "bcrm.fetch.placeholder",
        "fetch",
        "canary",
    )
    assert stalled.args == [{"record_key": "s/never-ran"}]
    client.lpush("fetch", _queued("s/never-ran"))
    assert find_stalled(ledger, client, quiet_s=0) == []
    client.delete("fetch")
    client.hset(UNACKED_HASH, "tag-1", _message("s/never-ran"))
    assert find_stalled(ledger, client, quiet_s=0) == []
    assert oldest_stalled_age(ledger, client, now=10**10) is None


def test_work_that_ran_on_resumes_after_its_last_finished_stage() -> None:
    client = fakeredis.FakeRedis()
    ledger = Ledger(client)
    _owe(ledger, "s/fetched")
    ledger.begin_stage("s/fetched", "fetch", "bcrm.fetch.placeholder", "canary")
    ledger.complete_stage("s/fetched", "fetch", {"record_key": "s/fetched", "got": 1})
    [stalled] = find_stalled(ledger, client, quiet_s=0)
    assert stalled.next_task == "bcrm.render.placeholder"
    assert stalled.args == [{"record_key": "s/fetched", "got": 1}]


def test_ended_chains_are_not_owed_and_are_settled_if_found() -> None:
    client = fakeredis.FakeRedis()
    ledger = Ledger(client)
    for stage in ("fetch", "render", "classify", "declare"):
        ledger.begin_stage("s/done", stage, f"bcrm.{stage}.placeholder", "canary")
        ledger.complete_stage("s/done", stage, {"record_key": "s/done"})
    _owe(ledger, "s/done")  # a duplicate event for finished work owes nothing
    assert ledger.owed_count() == 0
    client.zadd(keys.LEDGER_OWED, {"s/done": 1.0})  # owed, then ended by a resent copy
    assert find_stalled(ledger, client, quiet_s=0) == []
    assert ledger.owed_count() == 0


def test_the_oldest_owed_unit_with_nothing_in_flight_is_reported() -> None:
    client = fakeredis.FakeRedis()
    ledger = Ledger(client)
    client.zadd(keys.LEDGER_OWED, {"s/carried": 100.0, "s/lost": 200.0})
    client.hset(UNACKED_HASH, "tag-1", _message("s/carried"))
    assert oldest_stalled_age(ledger, client, now=500.0) == 300.0


@pytest.mark.e2e
def test_a_classify_message_lost_after_render_is_sent_again(own_fleet: Fleet) -> None:
    own_fleet.start(("cpu",))  # render only; classify waits in its queue
    item = PlaceholderItem(f"redrive-{uuid.uuid4().hex[:8]}")
    ledger, client = services.ledger(), redis_client()
    fetched = skeleton.fetch(item.ref(), attempt=1)  # the io stage, done here
    chain_from("bcrm.render.placeholder", [fetched], {}).apply_async()
    wait_for(lambda: ledger.get(item.record_key).get("state") == "rendered",
             what="the item rendered")  # fmt: skip
    wait_for(lambda: client.llen("classify"), what="its classify message queued")
    assert item.record_key not in {s.record_key for s in find_stalled(ledger, client, 0)}
    lose_messages(client, "classify", item.record_key)
    stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key == item.record_key]
    assert redrive(stalled) == 1
    own_fleet.start(("io",))
    wait_for(lambda: ledger.get(item.record_key).get("state") == "declared",
             what="the re-driven item declared")  # fmt: skip
    record = ledger.get(item.record_key)
    attempts = [record[f"attempts:{stage}"] for stage in ("render", "classify", "declare")]
    assert attempts == ["1", "1", "1"]


@pytest.mark.e2e
def test_a_producers_message_lost_before_any_worker_saw_it_is_sent_again(
    own_fleet: Fleet,
) -> None:
    """The first message of a unit (a poll's or a webhook's fetch) lost from its queue:
    the ledger knew it was owed, so re-drive sends it, and it is declared once."""
    item = PlaceholderItem(f"redrive-{uuid.uuid4().hex[:8]}")
    ledger, client = services.ledger(), redis_client()
    send_owed([OwedUnit(item.record_key, "canary", "bcrm.fetch.placeholder", [item.ref()])])
    assert lose_messages(client, "fetch", item.record_key) == 1  # no worker runs yet
    assert ledger.get(item.record_key)["state"] == "pending"
    stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key == item.record_key]
    assert [s.next_task for s in stalled] == ["bcrm.fetch.placeholder"]
    assert redrive(stalled) == 1
    own_fleet.start(("io", "cpu"))
    wait_for(lambda: ledger.get(item.record_key).get("state") == "declared",
             what="the re-driven item declared")  # fmt: skip
    record = ledger.get(item.record_key)
    assert [record[f"attempts:{s}"] for s in ("fetch", "render", "classify", "declare")] == [
        "1", "1", "1", "1",
    ]  # fmt: skip
    assert not client.zscore(keys.LEDGER_OWED, item.record_key)  # settled when declared
    assert list(skeleton.target_inventory([skeleton.document_name(item.ref())])) == [
        skeleton.document_name(item.ref())
    ]
