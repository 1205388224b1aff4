"""`bcrm webhooks serve` and `register` as real processes: the start-up line, a clean
stop on SIGINT/SIGTERM, and idempotent registration against the emulator."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator

import pytest
import redis
import requests

from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce import BigCommerceEmulator
from schemas.webhooks import disclosure_scopes
from tests.webhooks.support import (
    SECRET,
    WEBHOOKS,
    delivery,
    encode,
    environment,
    fetch_refs,
    new_store_hash,
    seen_marks,
)


@pytest.fixture
def served(store: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`bcrm webhooks serve` on a free port of the session's Redis, for the stores we
    archive (`BCRM_WEBHOOK_STORES` unset: it defaults to them)."""
    process = subprocess.Popen(
        [*WEBHOOKS, "serve", "--port", "0"],
        env=environment(
            BCRM_WEBHOOK_SECRET=SECRET, BCRM_BIGCOMMERCE_STORES=f"{store}:token,abc123:token"
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    started = json.loads(process.stdout.readline())
    assert started["event"] == "webhooks.listening"
    url = started["url"]
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait(60)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_then_stops_cleanly_on_signal(
    served: tuple[subprocess.Popen[str], str], rclient: redis.Redis, store: str, sig: int
) -> None:
    process, url = served
    body = encode(delivery(store, "store/order/created", {"type": "order", "id": 3}))
    headers = {"Content-Type": "application/json", "X-Bcrm-Webhook-Secret": SECRET}
    assert requests.post(url, data=body, headers=headers, timeout=60).status_code == 200
    process.send_signal(sig)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and out == ""
    assert len(fetch_refs(rclient, store)) == 1


def test_a_delivery_for_a_store_not_archived_is_refused_and_not_queued(
    served: tuple[subprocess.Popen[str], str], rclient: redis.Redis, store: str
) -> None:
    _, url = served
    headers = {"Content-Type": "application/json", "X-Bcrm-Webhook-Secret": SECRET}
    stranger = new_store_hash()
    body = encode(delivery(stranger, "store/order/created", {"type": "order", "id": 3}))
    refused = requests.post(url, data=body, headers=headers, timeout=60)
    assert refused.status_code == 403
    assert refused.json()["error"] == "unknown_store"
    assert (
        stranger in refused.json()["detail"]
        and "not one this receiver serves" in (refused.json()["detail"])
    )
    assert fetch_refs(rclient, stranger) == [] and seen_marks(rclient, stranger) == []
    body = encode(delivery(store, "store/order/created", {"type": "order", "id": 3}))
    assert requests.post(url, data=body, headers=headers, timeout=60).status_code == 200
    assert len(fetch_refs(rclient, store)) == 1


def test_register_command_is_idempotent(store: str) -> None:
    with BigCommerceEmulator(orders=1, quota=None, store_hash=store) as emu:
        env = environment(
            BCRM_WEBHOOK_SECRET=SECRET,
            BCRM_BIGCOMMERCE_STORES=f"{store}:{emu.access_token}",
            BCRM_BIGCOMMERCE_API_URL=emu.root_url,
        )
        command = [*WEBHOOKS, "register", "--destination", "https://hooks.example.com/hooks"]

        def run() -> list[dict[str, object]]:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert SECRET not in done.stdout + done.stderr
            return [json.loads(line) for line in done.stdout.splitlines()]

        first, second = run(), run()
        client = BigCommerceClient(emu.base_url, emu.access_token, governor=None)
        channels = [int(c["id"]) for c in client.iter_channels()]
    # The tests run the disclosures flow: every channel's change scopes are registered too.
    channel_scopes = [s for c in channels for s in disclosure_scopes(c)]
    assert [(r["scope"], r["action"]) for r in first] == [
        ("store/order/*", "created"),
        ("store/shipment/*", "created"),
        *((scope, "created") for scope in channel_scopes),
    ]
    assert {r["action"] for r in second} == {"unchanged"}
