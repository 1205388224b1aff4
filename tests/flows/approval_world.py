"""A world for flow 3's end-to-end tests: both emulators, the session's Redis and real
worker processes; makers and approvers are OTCS users of their own (a maker, a checker in
every approver group, an outsider in none)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.producer import poll_change_requests, publish_key
from pipeline.flows.approvals.requesting import request_change
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import services
from pipeline.runtime.fleet import WORKER_GROUPS, Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from tests.support import configured, wait_for, world_env

SERVICE_PASSWORD = "svc-pw"


@dataclass
class ApprovalWorld:
    store: BigCommerceEmulator
    ecm: OTCSEmulator
    client: BigCommerceClient
    service: OTCSClient
    maker: OTCSClient
    checker: OTCSClient
    outsider: OTCSClient
    env: dict[str, str]
    fleet: Fleet

    @property
    def store_hash(self) -> str:
        return self.store.store_hash

    def product(self, index: int) -> dict:
        return self.client.get_v3("/catalog/products", {"limit": 50})[index]

    def request_price(self, product_id: int, factor: str = "1.05") -> ChangeRequest:
        """A new price of `factor` times the live one (a drop of over 30 % needs two
        approvers by the shipped approvals.toml)."""
        live = Decimal(str(self.client.get_v3(f"/catalog/products/{product_id}")["price"]))
        price = str((live * Decimal(factor)).quantize(Decimal("0.01")))
        return request_change(
            self.maker, self.client, self.store_hash, "product_price",
            f"product/{product_id}", {"price": price}, reason="spring pricing",
        )  # fmt: skip

    def decide(self, who: OTCSClient, change: ChangeRequest) -> None:
        change_requests.decide(who, change.id, approve=True, valid_days=14)

    def publish(self, change: ChangeRequest) -> dict[str, str]:
        """Run the producer and wait until the request is settled and its record declared."""
        with configured(self.env):
            poll_change_requests(self.service, self.store_hash)
        return self.published(change)

    def published(self, change: ChangeRequest) -> dict[str, str]:
        """Wait until the request is settled and its record declared; the stage's result."""
        ledger = services.ledger()

        def settled() -> dict[str, str] | None:
            done = ledger.get(publish_key(self.store_hash, change.id)).get("done:publish")
            if done is None:
                return None
            receipt = json.loads(done).get("receipt")
            state = ledger.get(receipt).get("state") if receipt else "declared"
            return json.loads(done) if state == "declared" else None

        return wait_for(settled, timeout=120, what=f"{change.id} published and filed")

    def workspace(self, change: ChangeRequest) -> int:
        node = self.service.find_workspace("BigCommerce", "CHANGE_REQUEST", change.id)
        assert node is not None
        return node.id

    def facts(self, change: ChangeRequest) -> dict[str, str]:
        return change_requests.facts_of(self.service, self.workspace(change))

    def records(self, change: ChangeRequest) -> list[dict]:
        marker = f"Change Request {change.id}/Publish Receipts/"
        return [n for n in self.ecm.inventory()["nodes"] if marker in n["path"]]

    def product_writes(self, product_id: int) -> list[dict]:
        path = f"/v3/catalog/products/{product_id}"
        return [w for w in self.store.applied_writes() if w["path"] == path]


@contextmanager
def approval_world(
    redis_url: str,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    groups: tuple[str, ...] = tuple(WORKER_GROUPS),
) -> Iterator[ApprovalWorld]:
    """The world, its fleet (worker `groups`) running the approvals flow (with `extra_env`
    on top)."""
    store_hash = uuid.uuid4().hex[:10]
    with (
        BigCommerceEmulator(orders=2, seed=5, quota=None, store_hash=store_hash) as store,
        OTCSEmulator(password=SERVICE_PASSWORD) as ecm,
    ):
        maker_id = ecm.add_user("mia.maker", "m-pw")
        checker_id = ecm.add_user("cy.checker", "c-pw")
        ecm.add_user("otto.outsider", "o-pw")
        for group in ("Pricing Approvers", "Marketing Approvers", "Finance Approvers"):
            ecm.add_group(group, (checker_id,))
        assert maker_id != checker_id
        env = {
            **world_env(store, ecm, SERVICE_PASSWORD, flows="commerce,fulfilment,approvals"),
            **(extra_env or {}),
        }
        fleet = Fleet(redis_url, log_dir=log_dir, extra_env=env)
        fleet.start(groups)
        try:
            yield ApprovalWorld(
                store,
                ecm,
                BigCommerceClient(store.base_url, store.access_token, governor=None),
                OTCSClient(ecm.base_url, ecm.username, SERVICE_PASSWORD),
                OTCSClient(ecm.base_url, "mia.maker", "m-pw"),
                OTCSClient(ecm.base_url, "cy.checker", "c-pw"),
                OTCSClient(ecm.base_url, "otto.outsider", "o-pw"),
                env,
                fleet,
            )
        finally:
            fleet.stop()
