"""A demo-like store archived in process: the stages' own functions called in turn, the
way the workers chain them, so declare writes the index the way it does in the fleet. No
Celery: the rebuild test needs what declare filed, not the fleet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipeline.core import document_stages, registry
from pipeline.core.contract import DocumentSpec
from pipeline.core.messages import document_message
from pipeline.flows.commerce.flow import OrderSource
from pipeline.flows.fulfilment.tax_summaries import month_summaries, summary_spec
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import services
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from tests.support import configured, world_env

PASSWORD = "index-pw"
ROOT_ID = 2000


@dataclass
class IndexWorld:
    store: BigCommerceEmulator
    ecm: OTCSEmulator
    client: BigCommerceClient
    otcs: OTCSClient
    index: ArchiveIndex
    declared: list[str] = field(default_factory=list)

    @property
    def store_hash(self) -> str:
        return self.store.store_hash

    def order_ids(self) -> list[int]:
        return sorted(int(o["id"]) for o in self.client.iter_orders(include=()))

    def declare(self, spec: DocumentSpec, source_bytes: bytes) -> None:
        digest = services.staging().put(source_bytes)
        message = document_message(spec, digest)
        result = document_stages.declare(document_stages.classify(document_stages.render(message)))
        self.declared.append(result["record_key"])

    def archive_order(self, order_id: int) -> None:
        """What a fetch of the order starts: its lines, then each owed document."""
        source = OrderSource()
        snapshot = source.read(self.store_hash, str(order_id))
        source.after_fetch(snapshot)
        for flow in registry.consumers(source.name):
            for spec in flow.documents_owed(snapshot):
                self.declare(spec, snapshot.to_json_bytes())

    def archive_month(self, year: int, month: int) -> None:
        for summary in month_summaries(self.client, self.store_hash, year, month):
            self.declare(summary_spec(summary), summary.to_json_bytes())


@contextmanager
def index_world(
    index: ArchiveIndex, database_url: str, store_hash: str, orders: int, seed: int
) -> Iterator[IndexWorld]:
    with (
        BigCommerceEmulator(orders=orders, seed=seed, quota=None, store_hash=store_hash) as store,
        OTCSEmulator(password=PASSWORD) as ecm,
    ):
        env = {
            **world_env(store, ecm, PASSWORD),
            "BCRM_OTCS_ROOT_ID": str(ROOT_ID),
            "BCRM_DATABASE_URL": database_url,
        }
        with configured(env):
            client = BigCommerceClient(store.base_url, store.access_token, governor=None)
            otcs = OTCSClient(ecm.base_url, ecm.username, PASSWORD)
            yield IndexWorld(store, ecm, client, otcs, index)
