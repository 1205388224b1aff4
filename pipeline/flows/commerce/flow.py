"""Flow 1, commerce transactions: the order record, invoice, credit notes and payment
records of every order, from the order source its pollers and webhooks feed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import redis

from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    FetchedSource,
    Flow,
    Placement,
)
from pipeline.flows.campaigns.prices.order_discounts import order_discounts_seen
from pipeline.flows.commerce import order_records
from pipeline.flows.commerce.documents import (
    ORDER,
    ORDER_KIND_FLOWS,
    due_documents,
    due_parts,
    order_name,
)
from pipeline.flows.commerce.documents import DocumentKind as OrderKind
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot, staged_listing
from pipeline.flows.commerce.pollers import POLLERS, Checkpoints, poll_runs_key
from pipeline.flows.commerce.render import COMMERCE_RENDERERS, OrderRenderer
from pipeline.index.rows import order_lines_of
from pipeline.runtime import clients, services
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan
from schemas.snapshot import OrderSnapshot


class OrderSource(FetchedSource):
    """An order with everything its documents show (`OrderSnapshot`), read through the
    order the poll listed where it can (`order_fetch`)."""

    name = ORDER
    flow = "commerce"

    def load(self, raw: bytes) -> OrderSnapshot:
        return OrderSnapshot.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[OrderSnapshot, bytes]:
        store_hash, order_id = ref["store_hash"], int(ref["order_id"])
        listing = staged_listing(dict(ref))
        client = clients.bigcommerce(store_hash)
        snapshot = fetch_order_snapshot(client, store_hash, order_id, listing)
        return snapshot, snapshot.to_json_bytes()

    def after_fetch(self, source: OrderSnapshot) -> None:
        """The order's lines and their discounts into the archive index (recall searches
        by SKU, campaign closeouts by promotion and code), for an order that owes
        documents: what the index holds of an order, its rebuild from the archived
        snapshots can hold again."""
        if due_parts(source):
            index = services.archive_index()
            index.order_lines_seen(
                source.store_hash,
                source.order.id,
                source.order.date_created,
                order_lines_of(source),
            )
            # Their discounts too (flow 7's campaign closeout counts uses from them).
            order_discounts_seen(index, source)

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """Orders modified in the window (a shipment or status change moves
        `date_modified`), plus orders refunded in it: a refund does not always move it."""
        client = clients.bigcommerce(store_hash)
        modified = client.iter_orders(min_date_modified=since, max_date_modified=until, include=())
        refunded = client.iter_refunds(created_min=since, created_max=until)
        ids = {int(o["id"]) for o in modified} | {int(r["order_id"]) for r in refunded}
        return [str(order_id) for order_id in sorted(ids)]

    def read(self, store_hash: str, subject_id: str) -> OrderSnapshot:
        return fetch_order_snapshot(clients.bigcommerce(store_hash), store_hash, int(subject_id))

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        enqueue_order_event(store_hash, int(subject_id), reason, event_id)


def order_kinds(flow: str, renderers: Mapping[OrderKind, OrderRenderer]) -> dict[str, DocumentKind]:
    """The order documents `flow` files (`ORDER_KIND_FLOWS` says which), with their names
    and renderers."""
    return {
        kind.value: DocumentKind(kind.value, order_name(kind), ORDER, renderers[kind])
        for kind, owner in ORDER_KIND_FLOWS.items()
        if owner == flow
    }


class OrderDocumentsFlow(Flow):
    """A flow whose documents are an order's: classify and declare facts from the order
    (`order_records`), the same for commerce and fulfilment."""

    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = order_records.RECORD_DATE_FACTS

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        return due_documents(source, self.kinds)

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        return order_records.jurisdiction(source)

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        return order_records.record_date(source, spec, fact)

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        return order_records.category_attributes(source, spec)

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        return order_records.placement(source, spec, folder)

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        return order_records.ecm_needs(self.kinds)


class CommerceFlow(OrderDocumentsFlow):
    name = "commerce"
    kinds = order_kinds("commerce", COMMERCE_RENDERERS)

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """A poll per store of orders (by `date_modified`) and refunds (by `created`)."""
        return {
            f"poll-{resource}-{store_hash}": {
                "task": f"bcrm.control.poll_{resource}",
                "schedule": config.poll_interval_s,
                "args": [store_hash],
                "options": {"expires": config.poll_interval_s},
            }
            for store_hash in config.store_tokens
            for resource in POLLERS
        }

    def stream_lags(
        self, client: redis.Redis, store_hash: str, now: datetime
    ) -> dict[str, float | None]:
        checkpoints = Checkpoints(client)
        return {resource: checkpoints.lag_s(store_hash, resource, now) for resource in POLLERS}

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        values = client.mget([poll_runs_key(store_hash, resource) for resource in POLLERS])
        return {resource: int(v or 0) for resource, v in zip(POLLERS, values, strict=True)}


FLOW = CommerceFlow()
SOURCES = (OrderSource(),)
