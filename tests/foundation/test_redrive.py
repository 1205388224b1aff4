"""A record whose next message died with a worker is found and its chain sent again."""

from __future__ import annotations

import base64
import json
import uuid

import fakeredis
import pytest

from pipeline.core.canvas import chain_from
from pipeline.core.ledger import Ledger
from pipeline.core.queues import UNACKED_HASH
from pipeline.core.redrive import find_stalled, in_flight_keys, redrive
from pipeline.devtools import canary as skeleton
from pipeline.devtools.canary import PlaceholderItem
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from tests.support import wait_for


def _message(record_key: str) -> bytes:
    body = base64.b64encode(json.dumps([[{"record_key": record_key}], {}, {}]).encode())
    return json.dumps([{"body": body.decode(), "headers": {}}, "", "declare"]).encode()


def _classified(ledger: Ledger, record_key: str) -> None:
    ledger.begin_stage(record_key, "classify", "bcrm.classify.placeholder")
    ledger.complete_stage(record_key, "classify", {"record_key": record_key, "x": 1})


def test_only_a_classified_record_with_nothing_queued_or_in_flight_is_stalled() -> None:
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
    assert stalled.result == {"record_key": "s/lost", "x": 1}
    assert {s.record_key for s in find_stalled(ledger, client, quiet_s=0)} == {"s/lost", "s/quiet"}
    client.lpush("declare", b"a backlog")
    assert find_stalled(ledger, client, quiet_s=0) == []  # its message may be in the backlog


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
    for raw in client.lrange("classify", 0, -1):  # the message a dying worker took along
        if item.record_key.encode() in base64.b64decode(json.loads(raw)["body"]):
            client.lrem("classify", 1, raw)
    stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key == item.record_key]
    assert redrive(stalled) == 1
    own_fleet.start(("io",))
    wait_for(lambda: ledger.get(item.record_key).get("state") == "declared",
             what="the re-driven item declared")  # fmt: skip
    record = ledger.get(item.record_key)
    attempts = [record[f"attempts:{stage}"] for stage in ("render", "classify", "declare")]
    assert attempts == ["1", "1", "1"]
