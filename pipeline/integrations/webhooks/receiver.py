"""The aiohttp app behind `bcrm webhooks serve`: POST /webhooks/bigcommerce, /healthz,
and the helpdesk's POST /cases when its secrets are set (`cases.py`).

Checks run cheapest first, so junk costs little: the secret header, content type and
declared size before a byte of body is read; the body within a deadline; then signature,
JSON, schema, scope and store. Anything refused gets a 4xx naming the reason and touches
neither the dedup marks nor the queue. BigCommerce gets its 200 only once the fetch task
is in Redis (the broker); when Redis fails it gets 503 and retries on its schedule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web

from pipeline.celery import app as celery_app
from pipeline.integrations.webhooks import cases
from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.dedup import EnqueueOnce
from pipeline.integrations.webhooks.errors import Rejected, checked_json
from pipeline.integrations.webhooks.fetch_message import FetchMessageFactory
from pipeline.integrations.webhooks.handoff import Handoff, HandoffUnavailableError
from pipeline.integrations.webhooks.verify import check_shared_secret, check_signature
from pipeline.runtime.log import log_event
from schemas.webhooks import DisclosureEvent, OrderEvent, UnknownScopeError, load_event

PATH = "/webhooks/bigcommerce"
RETRY_AFTER_S = "60"

CONFIG = web.AppKey("config", WebhookConfig)
HANDOFF = web.AppKey("handoff", Handoff)
REDIS = web.AppKey("redis", aioredis.Redis)


def build_app(config: WebhookConfig, redis_url: str) -> web.Application:
    app = web.Application(client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app.cleanup_ctx.append(_resources(redis_url))
    app.router.add_post(PATH, receive)
    app.router.add_get("/healthz", healthz)
    if config.case_signing_keys:
        app[cases.CONFIG] = cases.CasesConfig(
            signing_keys=config.case_signing_keys,
            max_attachment_bytes=config.case_max_attachment_bytes,
            timestamp_tolerance_s=config.timestamp_tolerance_s,
            read_timeout_s=config.read_timeout_s,
            dedup_ttl_s=config.dedup_ttl_s,
            stores=config.stores,
        )
        app.router.add_post(cases.PATH, cases.receive_case)
    return app


def _resources(redis_url: str) -> Callable[[web.Application], AsyncIterator[None]]:
    async def resources(app: web.Application) -> AsyncIterator[None]:
        config = app[CONFIG]
        # Bounded socket timeouts: a hung Redis must become a 503, not a hung request.
        client = aioredis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        app[REDIS] = client
        app[HANDOFF] = Handoff(
            EnqueueOnce(client, config.dedup_ttl_s), FetchMessageFactory(celery_app)
        )
        yield
        await client.aclose()

    return resources


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[REDIS].ping()
    except aioredis.RedisError as exc:
        return web.json_response(
            {"status": "redis unavailable", "error": type(exc).__name__}, status=503
        )
    return web.json_response({"status": "ok"})


async def receive(request: web.Request) -> web.Response:
    try:
        event = await _validated(request, request.app[CONFIG])
    except Rejected as exc:
        log_event(
            "webhook.rejected",
            logging.WARNING,
            status=exc.status,
            error=exc.error,
            peer=request.remote,
        )
        return web.json_response({"error": exc.error, "detail": exc.detail}, status=exc.status)
    try:
        outcome = await request.app[HANDOFF].submit(event)
    except HandoffUnavailableError as exc:
        log_event(
            "webhook.unavailable",
            logging.ERROR,
            store=event.store_hash,
            hash=event.hash,
            error=str(exc),
        )
        return web.json_response(
            {"error": "unavailable", "detail": "cannot enqueue now; retry later"},
            status=503,
            headers={"Retry-After": RETRY_AFTER_S},
        )
    log_event(
        f"webhook.{outcome.value}",
        store=event.store_hash,
        scope=event.scope,
        **_subject(event),
        hash=event.hash,
    )
    return web.json_response({"status": outcome.value})


def _subject(event: OrderEvent | DisclosureEvent) -> dict[str, Any]:
    """What a log line names the event by: ids only."""
    if isinstance(event, DisclosureEvent):
        return {"channel_id": event.channel_id, "kind": event.kind, "subject": event.subject}
    return {"order_id": event.order_id}


async def _validated(request: web.Request, config: WebhookConfig) -> OrderEvent | DisclosureEvent:
    if config.shared_secret:
        check_shared_secret(request.headers, config.secret_header, config.shared_secret)
    if request.content_type != "application/json":
        raise Rejected(415, "unsupported_media_type", "Content-Type must be application/json")
    if request.content_length is not None and request.content_length > config.max_body_bytes:
        raise Rejected(413, "too_large", f"body exceeds {config.max_body_bytes} bytes")
    body = await _read_body(request, config)
    if config.signing_keys:
        check_signature(request.headers, body, config.signing_keys, config.timestamp_tolerance_s)
    try:
        event = checked_json(body, load_event)
    except UnknownScopeError as exc:
        raise Rejected(422, "unknown_scope", f"scope {exc} is not handled here") from None
    if config.stores and event.store_hash not in config.stores:
        raise Rejected(
            403,
            "unknown_store",
            f"store {event.store_hash} is not one this receiver serves; nothing was queued",
        )
    return event


async def _read_body(request: web.Request, config: WebhookConfig) -> bytes:
    """The whole body within the read deadline, so a client trickling bytes cannot hold
    a request open; chunked bodies past the size limit stop at the limit."""
    try:
        async with asyncio.timeout(config.read_timeout_s):
            return await request.read()
    except TimeoutError:
        raise Rejected(
            408, "timeout", f"body not received within {config.read_timeout_s} s"
        ) from None
    except web.HTTPRequestEntityTooLarge:
        raise Rejected(413, "too_large", f"body exceeds {config.max_body_bytes} bytes") from None
