"""Handing a validated event to the pipeline once: one atomic Redis call that marks its
hash, records its fetch as owed and queues it, awaited on the event loop (no thread, no
blocking)."""

from __future__ import annotations

import enum

import redis

from pipeline.core.canvas import end_state
from pipeline.flows.commerce.intake import FETCH_ORDER_TASK, order_event_ref
from pipeline.integrations.webhooks.dedup import EnqueueOnce
from pipeline.integrations.webhooks.fetch_message import FETCH_QUEUE, FetchMessageFactory
from schemas.webhooks import OrderEvent


class Outcome(enum.Enum):
    ENQUEUED = "enqueued"
    DUPLICATE = "duplicate"


class HandoffUnavailableError(Exception):
    """Redis failed; nothing was marked seen, so BigCommerce's retry will be enqueued."""


class Handoff:
    def __init__(self, once: EnqueueOnce, messages: FetchMessageFactory) -> None:
        self.once = once
        self.messages = messages
        self.end_state = end_state(FETCH_ORDER_TASK)

    async def submit(self, event: OrderEvent) -> Outcome:
        """Return only once the event is durably queued (now or by an earlier delivery)."""
        ref = order_event_ref(event.store_hash, event.order_id, event.scope, event.hash)
        owed = (ref["record_key"], "commerce", FETCH_ORDER_TASK, [ref], self.end_state)
        message = self.messages.build(ref)
        try:
            queued = await self.once.push(event.store_hash, event.hash, FETCH_QUEUE, message, owed)
        except redis.RedisError as exc:
            raise HandoffUnavailableError(f"redis: {type(exc).__name__}") from exc
        return Outcome.ENQUEUED if queued else Outcome.DUPLICATE
