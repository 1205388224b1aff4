"""Webhook delivery: thin payloads, custom headers, optional Standard Webhooks signature,
retries on the documented schedule and deactivation after the last failed retry.

Time is compressible (`time_scale`), so a test can watch a hook go through all eleven
retries (nominally ~48 h) in well under a second. Not emulated: the per-domain success-ratio
blocklist and the 90-day inactivity rule.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import Store

log = logging.getLogger(__name__)

RETRY_SCHEDULE_S = (60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400)


def scope_matches(hook_scope: str, scope: str) -> bool:
    """Exact scope, or a `/*` wildcard covering everything below its prefix."""
    if hook_scope.endswith("/*"):
        return scope.startswith(hook_scope[:-1])
    return hook_scope == scope


def payload_for(store: Store, scope: str, data: dict[str, Any], created_at: int) -> dict[str, Any]:
    """The callback body. `hash` is the SHA-1 of the event without the hash itself, so
    retries of one event share it and receivers can de-duplicate on it."""
    event = {
        "scope": scope,
        "store_id": store.store_id,
        "data": data,
        "created_at": created_at,
        "producer": f"stores/{store.store_hash}",
    }
    digest = hashlib.sha1(json.dumps(event, sort_keys=True).encode()).hexdigest()
    return {
        "scope": scope,
        "store_id": store.store_id,
        "data": data,
        "hash": digest,
        "created_at": created_at,
        "producer": f"stores/{store.store_hash}",
    }


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks `v1` signature keyed by the client secret's bytes (the receiver's
    `whsec_` secret is base64 of the client secret, as the BigCommerce docs show)."""
    to_sign = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


@dataclass
class Attempt:
    hook_id: int
    scope: str
    webhook_id: str
    hash: str
    attempt: int
    status: int | None
    error: str
    at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDispatcher:
    """Fans store events out to matching active hooks; one task per (event, hook)."""

    def __init__(self, store: Store, *, time_scale: float = 1.0, timeout_s: float = 10.0) -> None:
        self.store = store
        self.time_scale = time_scale
        self.timeout_s = timeout_s
        self.attempts: list[Attempt] = []
        self.notifications: list[dict[str, Any]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def emit(self, scope: str, data: dict[str, Any]) -> None:
        hooks = [
            h
            for h in self.store.hooks.values()
            if h["is_active"] and scope_matches(h["scope"], scope)
        ]
        if not hooks:
            return
        payload = payload_for(self.store, scope, data, self.store.now())
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        for hook in hooks:
            task = asyncio.get_running_loop().create_task(self._deliver(hook["id"], payload, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook_id: int, payload: dict[str, Any], body: bytes) -> None:
        message_id = f"msg_{uuid.uuid4().hex}"
        for attempt, delay in enumerate((0, *RETRY_SCHEDULE_S)):
            if delay:
                await asyncio.sleep(delay * self.time_scale)
            hook = self.store.hooks.get(hook_id)
            if hook is None or not hook["is_active"]:
                return
            status, error = await self._post(hook, message_id, body)
            record = Attempt(
                hook_id,
                payload["scope"],
                message_id,
                payload["hash"],
                attempt,
                status,
                error,
                time.time(),
            )
            self.attempts.append(record)
            if record.ok:
                return
        hook = self.store.hooks.get(hook_id)
        if hook is not None:
            hook["is_active"] = False
            hook["updated_at"] = self.store.now()
            self.notifications.append(
                {
                    "hook_id": hook_id,
                    "client_id": hook["client_id"],
                    "reason": "deactivated after the last retry failed",
                    "at": self.store.now(),
                }
            )
            log.info(
                "webhook %s deactivated after %d failed attempts",
                hook_id,
                len(RETRY_SCHEDULE_S) + 1,
            )

    async def _post(
        self, hook: dict[str, Any], message_id: str, body: bytes
    ) -> tuple[int | None, str]:
        headers = {"Content-Type": "application/json", **(hook["headers"] or {})}
        token = self.store.token_by_client(hook["client_id"])
        if token is not None and token.client_secret:
            ts = self.store.now()
            headers.update(
                {
                    "webhook-id": message_id,
                    "webhook-timestamp": str(ts),
                    "webhook-signature": sign(token.client_secret, message_id, ts, body),
                }
            )
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s)
            )
        try:
            async with self._session.post(hook["destination"], data=body, headers=headers) as r:
                await r.read()
                return r.status, ""
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return None, type(exc).__name__

    @property
    def pending(self) -> int:
        """Deliveries still in flight or waiting for a retry."""
        return len(self._tasks)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
