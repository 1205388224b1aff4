"""Helpers for the receiver tests: a real receiver on a loopback port in its own thread,
deliveries shaped like BigCommerce's, and what landed in the `fetch` queue."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from typing import Any, cast

import redis

from pipeline.core import keys
from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.dedup import seen_key
from pipeline.integrations.webhooks.receiver import PATH
from pipeline.integrations.webhooks.server import serve

WEBHOOKS = [sys.executable, "-c", "from pipeline.cli.webhooks import webhooks; webhooks()"]
SECRET = "s3cret-header-value"
CLIENT_SECRET = "client-secret-for-signing"
WHSEC = "whsec_" + base64.b64encode(CLIENT_SECRET.encode()).decode()


class RunningReceiver:
    """`serve()` on its own event loop in a daemon thread, like `bcrm webhooks serve`."""

    def __init__(self, config: WebhookConfig, redis_url: str) -> None:
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        ready = threading.Event()
        failure: list[BaseException] = []

        def announce(url: str) -> None:
            self.url = url + PATH
            ready.set()

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await serve(config, redis_url, "127.0.0.1", 0, self._stop, announce)

        def run() -> None:
            try:
                asyncio.run(main())
            except BaseException as exc:
                failure.append(exc)
                ready.set()

        self.thread = threading.Thread(target=run, name="webhook-receiver", daemon=True)
        self.thread.start()
        ready.wait(60)
        if failure:
            raise failure[0]

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(60)


def environment(**extra: str) -> dict[str, str]:
    """This process's environment for a `bcrm webhooks` child, webhook settings replaced."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BCRM_WEBHOOK_")}
    return {**env, **extra}


def new_store_hash() -> str:
    """A store of our own per test, so assertions never see another test's messages."""
    return "t" + secrets.token_hex(5)


def delivery(store_hash: str, scope: str, data: dict[str, Any], **override: Any) -> dict[str, Any]:
    body = {
        "scope": scope,
        "store_id": "1025646",
        "data": data,
        "hash": hashlib.sha1(secrets.token_bytes(16)).hexdigest(),
        "created_at": int(time.time()),
        "producer": f"stores/{store_hash}",
    }
    return {**body, **override}


def encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(
    body: bytes, *, timestamp: int | None = None, key: bytes | None = None
) -> dict[str, str]:
    msg_id = f"msg_{secrets.token_hex(8)}"
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(key or CLIENT_SECRET.encode(), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": "v1," + base64.b64encode(mac.digest()).decode(),
    }


def queued(client: redis.Redis) -> list[bytes]:
    """The raw messages in `fetch` (the client does not decode responses)."""
    return cast(list[bytes], client.lrange("fetch", 0, -1))


def fetch_refs(client: redis.Redis, store_hash: str) -> list[dict[str, Any]]:
    """The refs (args[0]) of the Celery messages in `fetch` for this store."""
    refs = []
    for raw in queued(client):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        if args and args[0].get("store_hash") == store_hash:
            assert message["headers"]["task"] == "bcrm.fetch.order"
            refs.append(args[0])
    return refs


def seen_marks(client: redis.Redis, store_hash: str) -> list[bytes]:
    return list(client.scan_iter(match=seen_key(store_hash, "*")))


def forget_store(client: redis.Redis, store_hash: str) -> None:
    """Remove this store's messages and marks from the shared Redis."""
    for raw in queued(client):
        if store_hash.encode() in base64.b64decode(json.loads(raw)["body"]):
            client.lrem("fetch", 0, raw.decode())
    for key in seen_marks(client, store_hash):
        client.delete(key)
    for member in client.zscan_iter(keys.LEDGER_OWED, match=f"{store_hash}:*"):
        client.zrem(keys.LEDGER_OWED, member[0])
