"""A demo-like store archived in process: every stage's domain function called in turn,
the way the workers chain them, with the index written after each declare the way the
declare stage is to write it. No Celery: the rebuild test needs what declare filed, not
the fleet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pipeline.flows.commerce.document_stages import classify_document, document_message, render
from pipeline.flows.commerce.documents import due_documents, tax_summary_ref
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.flows.fulfilment.tax_summaries import (
    classify_summary,
    declare_summary,
    month_summaries,
    render_summary,
    summary_message,
)
from pipeline.index.declared import declared_row
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import order_lines_of
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.records import declare
from pipeline.runtime import services
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator

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

    def _index(self, message: dict[str, Any], filed: declare.DeclaredRecord) -> None:
        """What declare is to do after filing: the row, with the versions it linked."""
        ref = declare.document_ref(message)
        folder = self.otcs.node(filed.node_id).parent_id
        older = [n.id for n in declare._versions(self.otcs, folder, ref.filename)]
        self.index.record_declared(
            declared_row(self.otcs, message, filed, [n for n in older if n != filed.node_id])
        )
        self.declared.append(ref.record_key)

    def archive_order(self, order_id: int) -> None:
        snapshot = fetch_order_snapshot(self.client, self.store_hash, order_id)
        digest = services.staging().put(snapshot.to_json_bytes())
        for ref in due_documents(snapshot):
            message = classify_document(render(document_message(digest, ref)))
            filed = declare.declare_document(self.otcs, message)
            self._index(message, filed)
            self.index.order_lines_seen(
                snapshot.store_hash,
                snapshot.order.id,
                snapshot.order.date_created,
                order_lines_of(snapshot),
            )

    def archive_month(self, year: int, month: int) -> None:
        for summary in month_summaries(self.client, self.store_hash, year, month):
            digest = services.staging().put(summary.to_json_bytes())
            message = classify_summary(
                render_summary(summary_message(digest, tax_summary_ref(summary)))
            )
            filed = declare_summary(self.otcs, message, ROOT_ID)
            self._index(message, filed)


@contextmanager
def index_world(
    index: ArchiveIndex, store_hash: str, orders: int, seed: int
) -> Iterator[IndexWorld]:
    with (
        BigCommerceEmulator(orders=orders, seed=seed, quota=None, store_hash=store_hash) as store,
        OTCSEmulator(password=PASSWORD) as ecm,
    ):
        client = BigCommerceClient(store.base_url, store.access_token, governor=None)
        otcs = OTCSClient(ecm.base_url, ecm.username, PASSWORD)
        yield IndexWorld(store, ecm, client, otcs, index)
