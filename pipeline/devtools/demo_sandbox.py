"""The emulated world `bcrm demo` and `bcrm chaos` archive: a seeded BigCommerce store and
an empty ECM, each a real `bcrm sandbox ...` process, the settings that point bcrm at them,
and the pipeline's own processes (worker fleet, beat, webhook receiver) aimed at them."""

from __future__ import annotations

import base64
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from pipeline.runtime.fleet import Fleet
from pipeline.runtime.processes import ChildProcess, stop_together

ADMIN_TIMEOUT_S = 60
# Beat polls an emulated store every 2 s, not every minute: a run counts as settled after
# two quiet polls, so the demo and every chaos scenario would otherwise wait minutes.
SANDBOX_POLL_INTERVAL_S = "2"
# A look reads every page and setting of a channel: more calls than an orders poll.
SANDBOX_DISCLOSURE_POLL_INTERVAL_S = "5"


@dataclass(frozen=True)
class Sandbox:
    """Where the emulators listen and how to reach them."""

    store_hash: str
    bigcommerce: dict[str, Any]
    otcs: dict[str, Any]
    env: dict[str, str]

    def admin(self, system: str, method: str, path: str, body: Any = None) -> Any:
        """Call an emulator's admin API (`system` is "bigcommerce" or "otcs")."""
        info = self.bigcommerce if system == "bigcommerce" else self.otcs
        response = requests.request(
            method, info["admin_url"] + path, json=body, timeout=ADMIN_TIMEOUT_S
        )
        response.raise_for_status()
        return response.json() if response.content else None


@dataclass
class PipelineProcesses:
    """The worker fleet, beat and the webhook receiver, configured for one sandbox; the
    store's webhooks point at the receiver once it listens."""

    sandbox: Sandbox
    fleet: Fleet
    beat: ChildProcess
    receiver: ChildProcess
    env: dict[str, str]
    webhook_url: str = ""
    # When the store's hooks were pointed at the receiver (a new hook may take a minute
    # to start delivering).
    hooks_registered_at: float = 0.0

    @classmethod
    def for_sandbox(
        cls, sandbox: Sandbox, redis_url: str, log_dir: Path, extra_env: dict[str, str]
    ) -> PipelineProcesses:
        env = {
            **sandbox.env,
            "BCRM_POLL_INTERVAL_S": SANDBOX_POLL_INTERVAL_S,
            "BCRM_DISCLOSURE_POLL_INTERVAL_S": SANDBOX_DISCLOSURE_POLL_INTERVAL_S,
            # The campaigns flow's look at the promotions is a polled stream too.
            "BCRM_PROMOTION_POLL_INTERVAL_S": SANDBOX_POLL_INTERVAL_S,
            "BCRM_WEBHOOK_SECRET": secrets.token_urlsafe(24),
            # The helpdesk's `POST /cases` (pipeline.devtools.helpdesk signs with it).
            "BCRM_CASES_SIGNING_SECRETS": "whsec_"
            + base64.b64encode(secrets.token_bytes(24)).decode(),
            **extra_env,
        }
        return cls(
            sandbox,
            Fleet(redis_url, log_dir=log_dir, extra_env=env),
            ChildProcess("beat", ["beat", "-l", "INFO"], log_dir, env=env),
            ChildProcess("webhooks", ["webhooks", "serve", "--port", "0"], log_dir, env=env),
            env,
        )

    def start(self) -> None:
        self.fleet.start()
        self.beat.start(announces=False)
        self.webhook_url = self.receiver.start()["url"]
        self._register_hooks()
        self.hooks_registered_at = time.time()

    def stop(self) -> None:
        stop_together([self.receiver, self.beat, self.fleet])

    def _register_hooks(self) -> None:
        """Point the emulated store's webhooks at our receiver, as `bcrm webhooks register`."""
        from pipeline.core import registry
        from pipeline.integrations.webhooks.config import DEFAULT_SECRET_HEADER
        from pipeline.integrations.webhooks.register import default_scopes, register_hooks
        from pipeline.runtime import clients

        client = clients.bigcommerce(self.sandbox.store_hash)
        disclosures = "disclosures" in registry.flows()
        register_hooks(
            client,
            self.sandbox.store_hash,
            self.webhook_url,
            default_scopes(client, disclosures),
            {DEFAULT_SECRET_HEADER: self.env["BCRM_WEBHOOK_SECRET"]},
        )


@contextmanager
def sandbox(log_dir: Path, orders: int, quota: int, window_ms: int) -> Iterator[Sandbox]:
    """Start both emulators, export their settings into this process, stop them after."""
    store_hash = uuid.uuid4().hex[:10]
    bigcommerce = ChildProcess(
        "bigcommerce-emulator",
        ["sandbox", "bigcommerce", "--orders", str(orders), "--store-hash", store_hash,
         "--quota", str(quota), "--window-ms", str(window_ms), "--allow-http-hooks"],
        log_dir,
    )  # fmt: skip
    otcs = ChildProcess("otcs-emulator", ["sandbox", "otcs"], log_dir)
    try:
        bc_info = bigcommerce.start()
        otcs_info = otcs.start()
        origin = urlsplit(bc_info["base_url"])
        env = {
            "BCRM_BIGCOMMERCE_API_URL": f"{origin.scheme}://{origin.netloc}",
            "BCRM_BIGCOMMERCE_STORES": f"{store_hash}:{bc_info['access_token']}",
            "BCRM_OTCS_URL": otcs_info["base_url"],
            "BCRM_OTCS_USERNAME": otcs_info["username"],
            "BCRM_OTCS_PASSWORD": otcs_info["password"],
        }
        os.environ.update(env)
        yield Sandbox(store_hash, bc_info, otcs_info, env)
    finally:
        stop_together([otcs, bigcommerce])
