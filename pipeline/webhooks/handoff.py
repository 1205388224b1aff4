"""Handing a validated event to the pipeline once: claim its hash, enqueue, confirm.

The Celery publish blocks (socket I/O plus ~1 ms of kombu work), so it runs on a small
thread pool and never stalls the event loop that parses the other deliveries.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from concurrent.futures import Executor

import redis

from pipeline.intake import enqueue_order_event
from pipeline.log import log_event
from pipeline.webhooks.dedup import Deduplicator, Mark
from schemas.webhooks import OrderEvent

# How long a duplicate waits for the request enqueueing its twin before giving up with
# 503 (BigCommerce then retries, and finds the event done).
PENDING_WAIT_S = 5.0


class Outcome(enum.Enum):
    ENQUEUED = "enqueued"
    DUPLICATE = "duplicate"


class HandoffUnavailableError(Exception):
    """Redis or the broker failed; nothing is marked seen, so a retry will be enqueued."""


class Handoff:
    def __init__(self, dedup: Deduplicator, executor: Executor) -> None:
        self.dedup = dedup
        self.executor = executor

    async def submit(self, event: OrderEvent) -> Outcome:
        """Return only once the event is durably enqueued (by us or by an earlier
        delivery); raise HandoffUnavailableError when that cannot be promised."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PENDING_WAIT_S
        pause = 0.005
        while True:
            try:
                mark = await self.dedup.claim(event.store_hash, event.hash)
            except redis.RedisError as exc:
                raise HandoffUnavailableError(f"dedup store: {type(exc).__name__}") from exc
            if mark is Mark.CLAIMED:
                await self._enqueue(event)
                return Outcome.ENQUEUED
            if mark is Mark.DONE:
                return Outcome.DUPLICATE
            if loop.time() + pause > deadline:
                raise HandoffUnavailableError("a twin delivery is still being enqueued")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.2)

    async def _enqueue(self, event: OrderEvent) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                self.executor,
                enqueue_order_event,
                event.store_hash,
                event.order_id,
                event.scope,
                event.hash,
            )
        except Exception as exc:
            await self._release(event)
            raise HandoffUnavailableError(f"broker: {type(exc).__name__}") from exc
        try:
            await self.dedup.confirm(event.store_hash, event.hash)
        except redis.RedisError as exc:
            # The event is enqueued; the pending mark expires and a retry enqueues a
            # second copy, which fetch absorbs (its record key derives from the hash).
            log_event(
                "webhook.confirm_failed",
                logging.WARNING,
                store=event.store_hash,
                hash=event.hash,
                error=type(exc).__name__,
            )

    async def _release(self, event: OrderEvent) -> None:
        try:
            await self.dedup.release(event.store_hash, event.hash)
        except redis.RedisError as exc:
            # Redis is down: the pending mark expires on its own before the retry.
            log_event(
                "webhook.release_failed",
                logging.WARNING,
                store=event.store_hash,
                hash=event.hash,
                error=type(exc).__name__,
            )
