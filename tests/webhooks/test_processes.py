"""The receiver and `register` as real processes: the start-up line, a clean stop on
SIGINT/SIGTERM, and idempotent registration against the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis
import requests

from sandbox.bigcommerce import BigCommerceEmulator
from tests.webhooks.support import SECRET, delivery, encode, fetch_refs


# Until the BCRM_WEBHOOK_* settings join pipeline.settings (which refuses unknown BCRM_
# variables), the serving process gets its config in code rather than from the env.
def serve_code(redis_url: str) -> str:
    return f"""
import json
from pipeline.webhooks.config import WebhookConfig
from pipeline.webhooks.receiver import PATH
from pipeline.webhooks.server import run_until_signalled
run_until_signalled(
    WebhookConfig(shared_secret={SECRET!r}), {redis_url!r}, "127.0.0.1", 0,
    lambda url: print(json.dumps({{"url": url + PATH}}), flush=True),
)
print("stopped", flush=True)
"""


@pytest.fixture
def served(redis_url: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", serve_code(redis_url)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = json.loads(process.stdout.readline())["url"]
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
    assert process.returncode == 0 and out.strip() == "stopped"
    assert len(fetch_refs(rclient, store)) == 1


def test_register_command_is_idempotent(store: str) -> None:
    with BigCommerceEmulator(orders=1, quota=None, store_hash=store) as emu:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BCRM_WEBHOOK_")}
        env.update(
            BCRM_WEBHOOK_SECRET=SECRET,
            BCRM_BIGCOMMERCE_STORES=f"{store}={emu.access_token}",
            BCRM_BIGCOMMERCE_API_URL=emu.root_url,
        )
        command = [
            sys.executable,
            "-c",
            "from pipeline.webhooks.cli import webhooks; webhooks()",
            "register",
            "--destination",
            "https://hooks.example.com/webhooks/bigcommerce",
        ]

        def run() -> list[dict[str, object]]:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert SECRET not in done.stdout + done.stderr
            return [json.loads(line) for line in done.stdout.splitlines()]

        first, second = run(), run()
    assert [(r["scope"], r["action"]) for r in first] == [
        ("store/order/*", "created"),
        ("store/shipment/*", "created"),
    ]
    assert [r["action"] for r in second] == ["unchanged", "unchanged"]
