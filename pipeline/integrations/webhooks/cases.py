"""`POST /cases`: the helpdesk's case deliveries (flow 2), signed Standard-Webhooks style
with their own secrets (`BCRM_CASES_SIGNING_SECRETS`).

Checks run cheapest first and every refusal is a 4xx naming the problem: media type,
size, body deadline, signature (401, `stale webhook-timestamp` included), JSON, schema
(422), store (403), each attachment's base64 (422) and size (413), each order known to
BigCommerce (422). An accepted delivery's attachments and event are staged and its fetch
queued before the 202; the same body again is answered as a duplicate and queues nothing
(a race between two copies queues one event twice, which its ledger key absorbs).
Message text and attachment content are never logged: logs carry ids and counts.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from pipeline.core import keys
from pipeline.core.errors import TransientError
from pipeline.flows.cases import intake
from pipeline.integrations.webhooks.errors import Rejected, checked_json
from pipeline.integrations.webhooks.verify import check_signature
from pipeline.runtime import redis_client, services
from pipeline.runtime.clients import StoreNotConfigured
from pipeline.runtime.log import log_event
from schemas.cases import AttachmentRef, CaseEvent, ThreadMessage, load_delivery

PATH = "/cases"
# Attachments per delivery: a helpdesk sends a thread's attachments as they come.
MAX_ATTACHMENTS = 10
JSON_ALLOWANCE = 1024 * 1024
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class CasesConfig:
    signing_keys: tuple[bytes, ...] = field(repr=False)
    max_attachment_bytes: int = 5 * 1024 * 1024
    timestamp_tolerance_s: int = 300
    read_timeout_s: float = 10.0
    dedup_ttl_s: int = 72 * 3600
    stores: frozenset[str] = frozenset()

    @property
    def max_body_bytes(self) -> int:
        """Every attachment at its limit, base64-encoded, plus the JSON around them."""
        return MAX_ATTACHMENTS * (self.max_attachment_bytes * 4 // 3 + 4) + JSON_ALLOWANCE


CONFIG = web.AppKey("cases_config", CasesConfig)


async def receive_case(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    try:
        body = await _body(request, config)
        check_signature(request.headers, body, config.signing_keys, config.timestamp_tolerance_s)
        delivery = _delivery(body, config)
        attachments = [_attachment(i, a, config) for i, a in enumerate(delivery["attachments"])]
        await asyncio.to_thread(_check_orders, delivery["store"], delivery["order_ids"])
    except Rejected as exc:
        log_event(
            "case.delivery.rejected", logging.WARNING, status=exc.status, error=exc.error,
            peer=request.remote,
        )  # fmt: skip
        return web.json_response({"error": exc.error, "detail": exc.detail}, status=exc.status)
    try:
        outcome = await asyncio.to_thread(_hand_over, body, delivery, attachments, config)
    except (TransientError, OSError) as exc:
        log_event("case.delivery.unavailable", logging.ERROR, error=type(exc).__name__)
        return web.json_response(
            {"error": "unavailable", "detail": "cannot queue now; retry later"},
            status=503,
            headers={"Retry-After": "60"},
        )
    log_event(
        f"case.delivery.{outcome}",
        store=delivery["store"],
        case=delivery["case_id"],
        orders=len(delivery["order_ids"]),
        messages=len(delivery["messages"]),
        attachments=len(attachments),
    )
    return web.json_response({"status": outcome, "case_id": delivery["case_id"]}, status=202)


async def _body(request: web.Request, config: CasesConfig) -> bytes:
    if request.content_type != "application/json":
        raise Rejected(415, "unsupported_media_type", "Content-Type must be application/json")
    limit = config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Rejected(413, "too_large", f"body exceeds {limit} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(config.read_timeout_s):
            while chunk := await request.content.read(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Rejected(413, "too_large", f"body exceeds {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Rejected(
            408, "timeout", f"body not received within {config.read_timeout_s} s"
        ) from None
    return b"".join(chunks)


def _delivery(body: bytes, config: CasesConfig) -> dict[str, Any]:
    delivery = checked_json(body, load_delivery)
    if len(delivery["attachments"]) > MAX_ATTACHMENTS:
        raise Rejected(422, "invalid_delivery", f"at most {MAX_ATTACHMENTS} attachments")
    if config.stores and delivery["store"] not in config.stores:
        raise Rejected(
            403, "unknown_store", f"store {delivery['store']} is not one this receiver serves"
        )
    return delivery


def _attachment(
    index: int, attachment: dict[str, Any], config: CasesConfig
) -> tuple[dict[str, Any], bytes]:
    """The attachment's decoded bytes, refused when not base64 or over the limit."""
    encoded = attachment["content_base64"]
    if len(encoded) > (config.max_attachment_bytes * 4 // 3) + 4:
        raise Rejected(
            413, "too_large", f"attachments[{index}] exceeds {config.max_attachment_bytes} bytes"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(
            422, "bad_base64", f"attachments[{index}].content_base64 is not base64"
        ) from None
    if len(data) > config.max_attachment_bytes:
        raise Rejected(
            413, "too_large", f"attachments[{index}] exceeds {config.max_attachment_bytes} bytes"
        )
    return attachment, data


def _check_orders(store_hash: str, order_ids: list[int]) -> None:
    """Every order must exist in the store (it may not be archived yet: that is fine)."""
    try:
        missing = intake.unknown_order(store_hash, order_ids)
    except StoreNotConfigured:
        raise Rejected(
            403, "unknown_store", f"store {store_hash}: no token to check its orders"
        ) from None
    except TransientError:
        raise Rejected(503, "unavailable", "BigCommerce cannot be asked now; retry later") from None
    if missing is not None:
        raise Rejected(422, "unknown_order", f"order {missing} is not in store {store_hash}")


def _hand_over(
    body: bytes,
    delivery: dict[str, Any],
    attachments: list[tuple[dict[str, Any], bytes]],
    config: CasesConfig,
) -> str:
    """Stage the attachments and the event, queue its fetch, then mark the body seen."""
    digest = hashlib.sha256(body).hexdigest()
    seen = keys.case_delivery_seen(delivery["store"], digest)
    client = redis_client()
    if client.exists(seen):
        return "duplicate"
    staging = services.staging()
    refs = tuple(
        AttachmentRef(a["name"], a["content_type"], len(data), staging.put(data))
        for a, data in attachments
    )
    intake.submit(_event(delivery, digest, refs))
    client.set(seen, "1", ex=config.dedup_ttl_s)
    return "accepted"


def _event(
    delivery: dict[str, Any], digest: str, attachments: tuple[AttachmentRef, ...]
) -> CaseEvent:
    messages = tuple(
        ThreadMessage(
            id=m["id"]
            or hashlib.sha256(
                f"{m['author_role']}\0{m['at'].isoformat()}\0{m['text']}".encode()
            ).hexdigest()[:32],
            author_role=m["author_role"],
            at=m["at"],
            text=m["text"],
        )
        for m in delivery["messages"]
    )
    return CaseEvent(
        event_id=f"delivery-{digest[:32]}",
        origin="helpdesk",
        store_hash=delivery["store"],
        case_id=delivery["case_id"],
        at=datetime.now(UTC),
        order_ids=tuple(delivery["order_ids"]),
        opened_at=delivery["opened_at"],
        reason=delivery["reason"],
        subject=delivery["subject"],
        status=delivery["status"],
        hold=delivery["legal_hold"],
        release_hold=delivery["release_hold"],
        messages=messages,
        attachments=attachments,
    )
