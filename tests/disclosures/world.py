"""A store whose disclosures the running pipeline captures: both emulators in-process,
real workers on the session's Redis running the commerce, fulfilment and disclosures
flows, and the webhook receiver the store's hooks (orders and channel changes) point at.
Looks are asked for as beat's poll asks, and waited for."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.flows.commerce.pollers import Checkpoints, poll_orders, poll_runs_key
from pipeline.flows.disclosures.evidence import CLOCK_TOLERANCE
from pipeline.flows.disclosures.intake import DISCLOSURES, enqueue_look
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.register import register_hooks
from pipeline.runtime import redis_client
from pipeline.runtime.fleet import Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from schemas.webhooks import REGISTERED_SCOPES, disclosure_scopes
from tests.commerce_world import World, settled
from tests.support import wait_for, world_env
from tests.webhooks.support import SECRET, RunningReceiver

PASSWORD = "disclosures-pw"
FLOWS = "commerce,fulfilment,disclosures"
CHANNEL = 1
# A hook "can take up to one minute to start": the store's hooks were made before that.
HOOKS_AGE_S = 120


@dataclass
class DisclosuresWorld(World):
    receiver: RunningReceiver

    def look(self, channel: int = CHANNEL) -> float:
        """One look at the channel, as beat's poll asks for it; waits until it and every
        version it filed are done. Returns when it ended (this clock)."""
        runs = poll_runs_key(self.store_hash, DISCLOSURES)
        before = int(redis_client().get(runs) or 0)
        enqueue_look(self.store_hash, channel, "poll", uuid.uuid4().hex)
        wait_for(lambda: int(redis_client().get(runs) or 0) > before, what="the look")
        wait_for(lambda: settled(self.store_hash), timeout=300, what="the look's records")
        return time.time()

    def place_order(self) -> int:
        """A shopper's order, through the API (`POST /v2/orders`)."""
        product = next(self.client.iter_v3("/catalog/products", {"limit": 1}))
        body = {
            "products": [{"product_id": product["id"], "quantity": 1}],
            "status_id": 11,
            "customer_id": 0,
            "channel_id": CHANNEL,
            "billing_address": {"first_name": "A", "last_name": "B", "country_iso2": "NL",
                                "country": "Netherlands", "city": "Amsterdam",
                                "street_1": "Dam 1", "zip": "1012", "email": "a@example.com"},
        }  # fmt: skip
        return int(self.client.request("POST", "/v2/orders", body=body)["id"])

    def edit_page(self, page_id: int, body: str) -> None:
        """Staff edit a page, through the API (`PUT /v3/content/pages/{id}`)."""
        self.client.request("PUT", f"/v3/content/pages/{page_id}", body={"body": body})

    def archive_orders(self) -> None:
        poll_orders(self.client, Checkpoints(redis_client()), self.store_hash)
        wait_for(lambda: settled(self.store_hash), timeout=300, what="the orders archived")

    def as_of_order(self, order_id: int) -> dict[str, Any]:
        done = self.bcrm("disclosures", "as-of", "--store", self.store_hash,
                         "--order", str(order_id), "--json")  # fmt: skip
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))


def after(moment: float, seconds: float = CLOCK_TOLERANCE.total_seconds() + 1.5) -> None:
    """Wait until the clock has passed `moment` by `seconds`: order times are whole
    seconds of the store's clock, looks and change events carry their own clocks, and the
    as-of rule allows CLOCK_TOLERANCE of skew between them, so one must be clearly before
    the other (beyond the tolerance and the order time's rounding)."""
    wait_for(lambda: time.time() > moment + seconds, what="the clock to move on")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@contextmanager
def disclosures_world(redis_url: str, log_dir: Path) -> Iterator[DisclosuresWorld]:
    store_hash = uuid.uuid4().hex[:10]
    receiver = RunningReceiver(WebhookConfig(shared_secret=SECRET), redis_url)
    try:
        with (
            BigCommerceEmulator(
                orders=1, seed=5, quota=None, store_hash=store_hash, allow_plain_http_hooks=True
            ) as store,
            OTCSEmulator(password=PASSWORD) as ecm,
        ):
            env = world_env(store, ecm, PASSWORD, flows=FLOWS)
            client = BigCommerceClient(store.base_url, store.access_token, governor=None)
            scopes = (*REGISTERED_SCOPES, *disclosure_scopes(CHANNEL))
            register_hooks(
                client, store_hash, receiver.url, scopes, {"X-Bcrm-Webhook-Secret": SECRET}
            )
            for hook in store.store.hooks.values():
                hook["created_at"] = hook["updated_at"] = hook["created_at"] - HOOKS_AGE_S
            fleet = Fleet(redis_url, log_dir=log_dir, extra_env=env)
            fleet.start()
            try:
                from pipeline.integrations.otcs.client import OTCSClient

                otcs = OTCSClient(ecm.base_url, ecm.username, PASSWORD)
                yield DisclosuresWorld(store, ecm, client, otcs, fleet, env, receiver)
            finally:
                fleet.stop()
    finally:
        receiver.close()
