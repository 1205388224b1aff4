"""The receiver writes fetch messages itself (see fetch_message.py); they must be what
`enqueue_order_event` would have published, but for the per-message ids."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis

from pipeline.celery import app
from pipeline.flows.commerce.intake import enqueue_order_event, order_event_ref
from pipeline.integrations.webhooks.fetch_message import FetchMessageFactory
from tests.webhooks.support import queued

EVENT = (250, "store/order/refund/created", "c0ffee" * 6 + "abcd")


def _comparable(raw: bytes) -> dict[str, Any]:
    message = json.loads(raw)
    message["body"] = json.loads(base64.b64decode(message["body"]))
    for name in ("id", "root_id"):
        assert message["headers"].pop(name) == message["properties"]["correlation_id"]
    message["properties"].pop("correlation_id")
    assert message["properties"].pop("delivery_tag")
    return message


def test_built_message_equals_what_celery_publishes(rclient: redis.Redis, store: str) -> None:
    enqueue_order_event(store, *EVENT)
    published = next(
        raw
        for raw in queued(rclient)
        if store.encode() in base64.b64decode(json.loads(raw)["body"])
    )
    built = FetchMessageFactory(app).build(order_event_ref(store, *EVENT))
    assert _comparable(built) == _comparable(published)


def test_every_message_has_its_own_ids(store: str) -> None:
    factory = FetchMessageFactory(app)
    first, second = (json.loads(factory.build(order_event_ref(store, *EVENT))) for _ in range(2))
    assert first["headers"]["id"] != second["headers"]["id"]
    assert first["properties"]["delivery_tag"] != second["properties"]["delivery_tag"]
