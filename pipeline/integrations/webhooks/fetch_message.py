"""The Celery message for `bcrm.fetch.order`, built without kombu's per-message work.

Why not `enqueue_order_event`: kombu and Celery spend ~1.5 ms of CPU per publish here (a
fresh redis-py client per call, queue declaration checks, a task-sent event), four times
the rest of a delivery, which capped the receiver near 260 deliveries/s. Writing the
message ourselves also lets the dedup mark and the message go to Redis in one atomic
script (see dedup.py). Celery's own builder (`as_task_v2`) makes the header template once;
per event only the ids, the args and their repr change. The test suite holds the result
equal to what `enqueue_order_event` publishes, so a Celery or kombu upgrade that changes
the wire format fails a test rather than the workers. Not sent: the `task-sent` event
(Flower shows these tasks from the moment a worker receives them).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from celery import Celery

from pipeline.flows.commerce.intake import FETCH_ORDER_TASK

FETCH_QUEUE = "fetch"


class FetchMessageFactory:
    def __init__(self, app: Celery) -> None:
        # The reprs are given (argsrepr is per message anyway), so building the template
        # reads no Celery configuration.
        template = app.amqp.as_task_v2(
            "",
            FETCH_ORDER_TASK,
            args=(),
            kwargs={},
            reply_to=app.thread_oid,
            # None, as Celery's send_task passes when the task does not say (the stubs
            # allow only a bool): the template's headers must equal a published message's.
            ignore_result=None,  # type: ignore[arg-type]
            argsrepr="",
            kwargsrepr="{}",
        )
        self._headers: dict[str, Any] = template.headers
        self._embed: dict[str, Any] = template.body[2]
        self._reply_to: str = template.properties["reply_to"]

    def build(self, ref: dict[str, Any]) -> bytes:
        """The Redis-transport envelope of the fetch task of one order event's reference
        (`order_event_ref`), as kombu would LPUSH it."""
        args = [ref]
        task_id = str(uuid.uuid4())
        body = json.dumps([args, {}, self._embed]).encode()
        envelope = {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            # Celery's signatures publish args as a tuple: its repr is what they show.
            "headers": {
                **self._headers,
                "id": task_id,
                "root_id": task_id,
                "argsrepr": repr(tuple(args)),
            },
            "properties": {
                "correlation_id": task_id,
                "reply_to": self._reply_to,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": FETCH_QUEUE},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
        return json.dumps(envelope).encode()
