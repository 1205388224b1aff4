"""The recall source: what `bcrm.fetch.recall` reads and stages.

A fetch of an open recall first brings the archive index up to date (identifiers
resolved through the catalog API into `recall_items`; the affected orders found among the
index's order lines into `recall_orders`; the recall's hold opened on the recall and on
those orders), then assembles the recall file from the index alone. A closed recall is
assembled without resolving again: its items and orders are what they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pipeline.core.contract import FetchedSource
from pipeline.core.errors import PermanentError
from pipeline.flows.recalls import intake
from pipeline.flows.recalls.documents import RECALL
from pipeline.flows.recalls.recall_file import AttachedFile, RecallFile, Refund
from pipeline.flows.recalls.resolve import resolve
from pipeline.flows.recalls.sync import week_of
from pipeline.index.recalls import ORDER, Recall
from pipeline.index.records import ArchiveIndex
from pipeline.runtime import clients, services
from pipeline.runtime.log import log_event

CREDIT_NOTE = "credit_note"  # flow 1's refund record
FOUND_BY_INDEX = "index"


class RecallUnknown(PermanentError):
    """A recall fetch names a recall the archive index does not hold."""


def find_affected(index: ArchiveIndex, recall: Recall) -> list[int]:
    """Resolve the identifiers, record the affected orders the index shows and hold them;
    the orders found new."""
    store_hash, recall_id = recall.store_hash, recall.recall_id
    items = resolve(clients.bigcommerce(store_hash), recall.identifiers)
    index.recalls.add_items(store_hash, recall_id, items)
    new = index.recalls.add_orders(
        store_hash, recall_id, index.recalls.affected_orders(recall), FOUND_BY_INDEX
    )
    index.recalls.hold(recall, index.recalls.orders(store_hash, recall_id))
    log_event("recall.resolved", store=store_hash, recall=recall_id, items=len(items),
              new_orders=len(new))  # fmt: skip
    return new


def _refunds(index: ArchiveIndex, recall: Recall, orders: list[int]) -> list[Refund]:
    """Credit notes of the affected orders dated on or after the decision."""
    if recall.decided_at is None:
        return []
    since = recall.decided_at.date()
    return [
        Refund(order_id, row.ecm_name, row.ecm_node_id, row.record_date)
        for order_id in orders
        for row in index.records_of_subject(recall.store_hash, ORDER, str(order_id))
        if row.kind == CREDIT_NOTE and row.record_date >= since
    ]


def assemble(
    index: ArchiveIndex, recall: Recall, now: datetime, attachment: AttachedFile | None = None
) -> RecallFile:
    store_hash, recall_id = recall.store_hash, recall.recall_id
    orders = index.recalls.orders(store_hash, recall_id)
    held = sum(len(index.records_of_subject(store_hash, ORDER, str(o))) for o in orders)
    own = index.records_of_subject(store_hash, RECALL, recall_id)
    return RecallFile(
        recall=recall,
        items=tuple(index.recalls.items(store_hash, recall_id)),
        lines=tuple(index.recalls.order_lines(recall)),
        refunds=tuple(_refunds(index, recall, orders)),
        records_held=held,
        week=week_of(now),
        fetched_at=now.replace(microsecond=0),
        attachment=attachment,
        filed=tuple(row.ecm_name for row in own),
    )


class RecallSource(FetchedSource):
    name = RECALL
    flow = "recalls"

    def load(self, raw: bytes) -> RecallFile:
        return RecallFile.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[RecallFile, bytes]:
        index = services.archive_index()
        recall = self._recall(index, str(ref["store_hash"]), str(ref["recall_id"]))
        if recall.is_open:
            find_affected(index, recall)
        raw_attachment = ref.get("attachment")
        attachment = None if raw_attachment is None else AttachedFile(**raw_attachment)
        source = assemble(index, recall, datetime.now(UTC), attachment)
        return source, source.to_json_bytes()

    @staticmethod
    def _recall(index: ArchiveIndex, store_hash: str, recall_id: str) -> Recall:
        recall = index.recalls.get(store_hash, recall_id)
        if recall is None:
            raise RecallUnknown(f"no recall {recall_id} of store {store_hash} in the archive index")
        return recall

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """Every recall of the store, whatever the window: an open one changes as orders
        arrive and weeks pass, a closed one owes its closeout (read from the index: cheap)."""
        return [r.recall_id for r in services.archive_index().recalls.listed(store_hash)]

    def read(self, store_hash: str, subject_id: str) -> RecallFile:
        index = services.archive_index()
        return assemble(index, self._recall(index, store_hash, subject_id), datetime.now(UTC))

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        intake.send_fetch(intake.fetch_ref(store_hash, subject_id, reason, event_id))
