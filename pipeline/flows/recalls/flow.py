"""Flow 6, recalls: a product recall opened in the ECM (a Recall workspace with the Recall
category, by people or with `bcrm recalls open`) is picked up by the ECM poller (`sync`),
its identifiers resolved to products and variants through the catalog API, its affected
orders found in the archive index's order lines (and by `bcrm recalls scan` for orders
older than the index), and its file kept: the affected-orders report (with its CSV), a
status report a week while open, the closeout, and every notice, certificate and bulletin
handed in, each an official record in the recall's workspace. The recall's LEGAL hold
covers the workspace and every record of every affected order (`holds`).

The flow also watches the order source: an archived order with a line of an open
recall's item inside its window asks for the recall's fetch, which adds the order, holds
it and re-issues the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import redis

from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    Flow,
    NodeLink,
    Placement,
    StoreCounter,
    UnknownRecordDate,
)
from pipeline.flows.commerce.documents import ORDER
from pipeline.flows.recalls import ecm, holds, intake
from pipeline.flows.recalls.documents import (
    AFFECTED_ORDERS,
    BULLETIN,
    CERTIFICATE,
    CLOSEOUT,
    NAMES,
    NOTICE,
    RECALL,
    STATUS_REPORT,
    due_documents,
)
from pipeline.flows.recalls.recall_file import RecallFile
from pipeline.flows.recalls.render.affected_orders import render_affected_orders
from pipeline.flows.recalls.render.attached import render_attached
from pipeline.flows.recalls.render.closeout import render_closeout
from pipeline.flows.recalls.render.status import render_status
from pipeline.flows.recalls.source import CREDIT_NOTE, RecallSource
from pipeline.index.recalls import Recall, RecalledItem
from pipeline.index.rows import OrderLineRow, order_lines_of
from pipeline.records.containers import container
from pipeline.records.declare import DeclaredRecord, container_ids, declare_document
from pipeline.runtime import clients, services, settings
from pipeline.runtime.settings import Settings
from schemas.retention import RetentionPlan
from schemas.snapshot import OrderSnapshot

OPENED_AT = "recall.opened_at"
CLOSED_AT = "recall.closed_at"
# A status report "has" the refunds it counts (seeded type: refund / credit note).
HAS_REFUND = "HAS_REFUND"
# A recall is the store's, not one customer's: classified under the base RSI.
NO_COUNTRY = "ZZ"
ATTRIBUTE_TYPES: Mapping[str, str] = dict.fromkeys(
    ("Object Type", "Object ID", "Source ID", "Order ID"), "String"
)

KINDS: Mapping[str, DocumentKind] = {
    AFFECTED_ORDERS: DocumentKind(
        AFFECTED_ORDERS, NAMES[AFFECTED_ORDERS], RECALL, render_affected_orders
    ),
    STATUS_REPORT: DocumentKind(STATUS_REPORT, NAMES[STATUS_REPORT], RECALL, render_status),
    CLOSEOUT: DocumentKind(CLOSEOUT, NAMES[CLOSEOUT], RECALL, render_closeout),
    **{
        kind: DocumentKind(kind, NAMES[kind], RECALL, render_attached, own_extension=True)
        for kind in (NOTICE, CERTIFICATE, BULLETIN)
    },
}


def _covers(recall: Recall, items: list[RecalledItem], line: OrderLineRow) -> bool:
    """Whether an order line sold one of the recall's items (as `affected_orders` matches)."""
    if line.sku and (line.sku in recall.identifiers.skus or any(i.sku == line.sku for i in items)):
        return True
    return any(
        (i.variant_id == 0 and i.product_id == line.product_id)
        or (i.variant_id != 0 and i.variant_id == line.variant_id)
        for i in items
    )


class RecallsFlow(Flow):
    name = "recalls"
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **{kind: (OPENED_AT,) for kind in KINDS},
        CLOSEOUT: (OPENED_AT, CLOSED_AT),
    }

    @property
    def sources(self) -> frozenset[str]:
        """Recall files, and the orders it watches (it owes no document from an order)."""
        return super().sources | {ORDER}

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        return due_documents(source) if isinstance(source, RecallFile) else []

    def source_fetched(self, source: Any) -> None:
        """An order with a line of an open recall's item, placed in its window and not
        yet known affected, asks for the recall's fetch (its lines are in the index by
        now: `after_fetch` ran first)."""
        if not isinstance(source, OrderSnapshot):
            return
        recalls = services.archive_index().recalls
        placed, order_id = source.order.date_created, source.order.id
        lines = order_lines_of(source)
        for recall in recalls.listed(source.store_hash, "open"):
            if placed < recall.sold_from or (recall.sold_to and placed > recall.sold_to):
                continue
            items = recalls.items(recall.store_hash, recall.recall_id)
            if any(_covers(recall, items, line) for line in lines) and order_id not in (
                recalls.orders(recall.store_hash, recall.recall_id)
            ):
                intake.refresh(recall.store_hash, recall.recall_id, "order", f"order-{order_id}")

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        """A new record of an affected order changes what the open recalls' status
        reports show (the records held; a credit note, flow 1's refund, is also linked):
        their fetch is owed once per record. Without it a shipment filed after the last
        fetch left the report counting too few records held."""
        if spec.subject.kind != ORDER:
            return
        reason = "refund" if spec.kind == CREDIT_NOTE else "record"
        recalls = services.archive_index().recalls
        for recall_id in recalls.open_recalls_of_order(spec.store_hash, int(spec.subject.id)):
            intake.refresh(spec.store_hash, recall_id, reason, f"{reason}-{node_id}")

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        return NO_COUNTRY

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        recall: Recall = source.recall
        moment = recall.closed_at if fact == CLOSED_AT else recall.opened_at or recall.sold_from
        if moment is None:
            raise UnknownRecordDate(f"recall {recall.recall_id} is not closed")
        return moment

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        """Identifiers only: the recall, and the part (a week, a file's hash)."""
        recall_id = source.recall_id
        return {
            "Object Type": RECALL,
            "Object ID": recall_id,
            "Source ID": recall_id + (f"/{spec.part}" if spec.part else ""),
            "Order ID": "",
        }

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        """In the recall's workspace, in its kind's folder (the hold is the workspace's);
        a status report is cross-referenced to each credit note it counts."""
        refunds = source.refunds if spec.kind == STATUS_REPORT else ()
        return Placement(
            folders=(folder,),
            workspace=ecm.workspace(source.store_hash, source.recall_id),
            node_links=tuple(NodeLink(refund.node_id, HAS_REFUND) for refund in refunds),
        )

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Per store, a poll of the ECM's Recall workspaces."""
        return {
            f"poll-recalls-{store_hash}": {
                "task": "bcrm.control.poll_recalls",
                "schedule": config.poll_interval_s,
                "args": [store_hash],
                "options": {"expires": config.poll_interval_s},
            }
            for store_hash in config.store_tokens
        }

    def needs_attention(self, client: redis.Redis, store_hash: str) -> list[str]:
        """Open recalls nobody but their opener has decided: the takedown waits for it."""
        undecided = [
            r for r in services.archive_index().recalls.listed(store_hash, "open")
            if not r.decided_by
        ]  # fmt: skip
        if not undecided:
            return []
        ids = ", ".join(r.recall_id for r in undecided[:5])
        return [
            f"{len(undecided)} open recall(s) not decided yet ({ids}): someone other than "
            "the opener decides each in the ECM or with `bcrm recalls decide RCL`"
        ]

    def store_counters(self, client: redis.Redis, store_hash: str) -> list[StoreCounter]:
        """`bcrm_recall_affected_orders{store, recall}`: orders found per recall."""
        recalls = services.archive_index().recalls
        return [
            StoreCounter(
                "bcrm_recall_affected_orders",
                "Orders found to contain a recalled item, per store and recall.",
                "recall",
                {
                    r.recall_id: float(len(recalls.orders(store_hash, r.recall_id)))
                    for r in recalls.listed(store_hash)
                },
            )
        ]

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        return EcmNeeds(
            workspace_types=frozenset({ecm.BO_TYPE}),
            attributes=ATTRIBUTE_TYPES,
            xref_types=frozenset({HAS_REFUND}),
        )

    def declare(self, source: Any, spec: DocumentSpec, message: Mapping[str, Any]) -> Any:
        """Declare, then (for the report and the closeout) put the ECM's holds in line
        with the index: the report lists the orders held, the closeout may release."""
        record: DeclaredRecord = declare_document(self, source, spec, message)
        if spec.kind in (AFFECTED_ORDERS, CLOSEOUT):
            otcs, ids = clients.otcs(), container_ids()
            placement = self.placement(source, spec, "")
            workspace_id = container(otcs, ids, placement, settings().otcs_root_id)
            index = services.archive_index()
            recall = index.recalls.get(source.store_hash, source.recall_id) or source.recall
            holds.settle(otcs, index, recall, workspace_id)
        return record


FLOW = RecallsFlow()
SOURCES = (RecallSource(),)
