"""Handing a validated event to the pipeline once: one atomic Redis call that marks its
hash, records its fetch as owed and queues it, awaited on the event loop (no thread, no
blocking)."""

from __future__ import annotations

import enum

import redis

from pipeline.core import keys, registry
from pipeline.core.canvas import end_state
from pipeline.flows.commerce.intake import FETCH_ORDER_TASK, order_event_ref
from pipeline.flows.disclosures.intake import DISCLOSURES, FETCH_DISCLOSURES_TASK, look_ref
from pipeline.integrations.webhooks.dedup import EnqueueOnce
from pipeline.integrations.webhooks.fetch_message import FETCH_QUEUE, FetchMessageFactory
from schemas.webhooks import DisclosureEvent, OrderEvent


class Outcome(enum.Enum):
    ENQUEUED = "enqueued"
    DUPLICATE = "duplicate"
    # A disclosure change while the disclosures flow is not in BCRM_FLOWS: answered 2xx
    # (a refusal would count against the hook until BigCommerce deactivates it), not queued.
    IGNORED = "ignored"


class HandoffUnavailableError(Exception):
    """Redis failed; nothing was marked seen, so BigCommerce's retry will be enqueued."""


class Handoff:
    def __init__(self, once: EnqueueOnce, messages: FetchMessageFactory) -> None:
        self.once = once
        self.messages = messages

    async def submit(self, event: OrderEvent | DisclosureEvent) -> Outcome:
        """Return only once the event is durably queued (now or by an earlier delivery):
        an order's fetch, or a look at the channel whose disclosure changed (its hash then
        pending until the look has recorded the event)."""
        pending = None
        if isinstance(event, DisclosureEvent) and DISCLOSURES not in registry.flows():
            return Outcome.IGNORED
        if isinstance(event, DisclosureEvent):
            ref = look_ref(
                event.store_hash, event.channel_id, event.scope, event.hash, event.to_json()
            )
            task, flow = FETCH_DISCLOSURES_TASK, DISCLOSURES
            pending = keys.disclosure_pending(event.store_hash, event.channel_id)
        else:
            ref = order_event_ref(event.store_hash, event.order_id, event.scope, event.hash)
            task, flow = FETCH_ORDER_TASK, "commerce"
        owed = (ref["record_key"], flow, task, [ref], end_state(task))
        message = self.messages.build(ref, task)
        try:
            queued = await self.once.push(
                event.store_hash, event.hash, FETCH_QUEUE, message, owed, pending
            )
        except redis.RedisError as exc:
            raise HandoffUnavailableError(f"redis: {type(exc).__name__}") from exc
        return Outcome.ENQUEUED if queued else Outcome.DUPLICATE
