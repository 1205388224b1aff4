"""Disclosure change webhooks (flow 4): each good one queues exactly one look at its
channel, naming the change, and marks its hash pending until the look records it; a
malformed one is refused with a reason and queues nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from pipeline.core import keys
from pipeline.flows.disclosures.intake import look_ref
from tests.webhooks.support import SECRET, RunningReceiver, delivery, encode, queued

AUTH = {"Content-Type": "application/json", "X-Bcrm-Webhook-Secret": SECRET}


def tasks(client: redis.Redis, store_hash: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for raw in queued(client):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        if args and args[0].get("store_hash") == store_hash:
            found.append((message["headers"]["task"], args[0]))
    return found


@pytest.fixture
def pending(rclient: redis.Redis, store: str) -> Iterator[str]:
    key = keys.disclosure_pending(store, 2)
    yield key
    rclient.delete(key)


@pytest.mark.parametrize(
    ("scope", "data", "kind", "subject"),
    [
        ("store/channel/2/page/updated", {"page_id": 11}, "page", "11"),
        ("store/channel/2/page/created", {"page_id": 12}, "page", "12"),
        ("store/channel/2/settings/checkout/updated", {}, "checkout_terms", "2"),
        ("store/channel/2/settings/customerPrivacy/updated", {}, "privacy", "2"),
    ],
)
def test_a_change_queues_one_look_at_its_channel(
    receiver: RunningReceiver,
    rclient: redis.Redis,
    store: str,
    pending: str,
    scope: str,
    data: dict[str, Any],
    kind: str,
    subject: str,
) -> None:
    payload = delivery(store, scope, data)
    for _ in range(2):  # the duplicate is recognised by its hash
        response = requests.post(receiver.url, data=encode(payload), headers=AUTH, timeout=60)
        assert response.status_code == 200
    event = {
        "hash": payload["hash"],
        "kind": kind,
        "subject": subject,
        "scope": scope,
        "occurred_at": payload["created_at"],
    }
    expected = look_ref(store, 2, scope, payload["hash"], event)
    assert tasks(rclient, store) == [("bcrm.fetch.disclosures", expected)]
    assert rclient.smembers(pending) == {payload["hash"].encode()}


def test_a_replay_of_a_change_already_looked_at_leaves_nothing_pending(
    receiver: RunningReceiver, rclient: redis.Redis, store: str, pending: str
) -> None:
    """BigCommerce may re-send an event after our dedup mark expired; its look was taken,
    so the fetch will be skipped and nothing would ever take the hash out of pending."""
    payload = delivery(store, "store/channel/2/page/updated", {"page_id": 11})
    response = requests.post(receiver.url, data=encode(payload), headers=AUTH, timeout=60)
    assert response.status_code == 200
    [(_, ref)] = tasks(rclient, store)
    record = keys.ledger_record(ref["record_key"])
    rclient.hset(record, "state", "fetched")  # the look recorded the event
    rclient.srem(pending, payload["hash"])
    rclient.delete(keys.webhook_seen(store, payload["hash"]))  # the mark's TTL ran out
    response = requests.post(receiver.url, data=encode(payload), headers=AUTH, timeout=60)
    assert response.status_code == 200
    assert rclient.smembers(pending) == set()
    rclient.delete(record)


@pytest.mark.parametrize(
    ("scope", "data"),
    [
        ("store/channel/2/page/updated", {}),
        ("store/channel/2/page/updated", {"page_id": "eleven"}),
        ("store/channel/0/page/updated", {"page_id": 3}),
        ("store/channel/2/settings/logo/updated", {}),
    ],
)
def test_a_malformed_change_is_refused_with_a_reason(
    receiver: RunningReceiver, rclient: redis.Redis, store: str, scope: str, data: dict[str, Any]
) -> None:
    payload = delivery(store, scope, data)
    response = requests.post(receiver.url, data=encode(payload), headers=AUTH, timeout=60)
    assert response.status_code == 422
    assert response.json()["error"] in {"invalid_delivery", "unknown_scope"}
    assert tasks(rclient, store) == []


def test_a_change_is_answered_but_not_queued_where_the_flow_does_not_run(
    receiver: RunningReceiver, rclient: redis.Redis, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.core import registry

    monkeypatch.setattr(registry, "flows", lambda: {})
    payload = delivery(store, "store/channel/2/page/updated", {"page_id": 11})
    response = requests.post(receiver.url, data=encode(payload), headers=AUTH, timeout=60)
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    assert tasks(rclient, store) == []
