"""Render messages a fetch sent, lost before any worker saw them: the documents were
owed in the ledger from the moment the fetch fanned them out, so re-drive sends them
again and each is declared exactly once (issue 20)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from pipeline.core.names import fetch_prefix
from pipeline.core.redrive import find_stalled, redrive
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from tests.commerce_world import OTCS_PASSWORD
from tests.support import configured, lose_messages, wait_for, world_env

pytestmark = pytest.mark.e2e


def test_documents_whose_render_messages_were_lost_are_declared_once(
    redis_url: str, tmp_path: Path
) -> None:
    store_hash = uuid.uuid4().hex[:10]
    with (
        BigCommerceEmulator(orders=4, seed=5, quota=None, store_hash=store_hash) as store,
        OTCSEmulator(password=OTCS_PASSWORD) as ecm,
    ):
        env = world_env(store, ecm, OTCS_PASSWORD)
        fleet = Fleet(redis_url, log_dir=tmp_path, extra_env=env)
        fleet.start(("io",))  # fetch runs; nothing renders yet
        try:
            with configured(env):
                ledger, client = services.ledger(), redis_client()
                orders = BigCommerceClient(
                    store.base_url, store.access_token, governor=None
                ).iter_orders(include=())
                prefixes = []
                for order in orders:
                    enqueue_order_event(store_hash, int(order["id"]), "test", uuid.uuid4().hex)
                    prefixes.append(fetch_prefix("order", store_hash, str(order["id"])))
                wait_for(
                    lambda: all(ledger.in_state("fetched", p) for p in prefixes),
                    what="the orders fetched",
                )
                documents = [
                    key
                    for prefix in prefixes
                    for fetch_key in ledger.in_state("fetched", prefix)
                    for key in json.loads(ledger.get(fetch_key)["done:fetch"])["documents"]
                ]
                assert documents
                lost = sum(lose_messages(client, "render", key) for key in documents)
                assert lost == len(documents)
                states = {ledger.get(key)["state"] for key in documents}
                assert states == {"pending"}  # owed before their messages existed
                stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key in documents]
                assert sorted(s.record_key for s in stalled) == sorted(documents)
                assert {s.next_task for s in stalled} == {"bcrm.render.document"}
                assert redrive(stalled) == len(documents)
                fleet.start(("cpu",))
                wait_for(
                    lambda: all(ledger.get(k).get("state") == "declared" for k in documents),
                    timeout=180,
                    what="every re-driven document declared",
                )
                records = ledger.get_many(documents)
                assert {r["attempts:render"] for r in records} == {"1"}
            names = [n["name"] for n in ecm.inventory()["nodes"]
                     if n["type"] == 144 and f"Order {store_hash}-" in n["path"]]  # fmt: skip
            assert len(names) == len(documents) == len(set(names))
        finally:
            fleet.stop()
