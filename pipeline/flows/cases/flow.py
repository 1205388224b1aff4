"""Flow 2, customer-service case files: a case about one or more orders collects the
orders' records (linked, not copied), the communication with the customer and the
helpdesk's attachments into a Customer Case workspace, under legal hold when the case may
end in a dispute, with retention starting when the case closes.

Intake (helpdesk endpoint, command line, BigCommerce) ends in a `bcrm.fetch.case` message
(`intake`); the fetch applies the event to the case state in the archive index and
assembles the case file (`assemble`); the documents it owes (`documents`) run the same
render → classify → declare chain as every record. The flow also watches the order
source: an order now Disputed opens a case, and a fetched order or a record declared
about it refreshes the open cases of that order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    FetchedSource,
    Flow,
    Placement,
    UnknownRecordDate,
)
from pipeline.core.errors import PermanentError
from pipeline.flows.cases import intake
from pipeline.flows.cases.assemble import assemble
from pipeline.flows.cases.documents import (
    CASE,
    CASE_ATTACHMENT,
    CASE_CLOSURE,
    CASE_SUMMARY,
    COMMUNICATION_LOG,
    NAMES,
    due_documents,
)
from pipeline.flows.cases.ecm import CASE_CONTAINS, CASE_WORKSPACE, case_workspace, settle
from pipeline.flows.cases.render.attachment import render_case_attachment
from pipeline.flows.cases.render.closure import render_case_closure
from pipeline.flows.cases.render.log import render_communication_log
from pipeline.flows.cases.render.summary import render_case_summary
from pipeline.flows.commerce.documents import ORDER, OrderStatus
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.commerce.order_records import ATTRIBUTE_TYPES, ORDER_WORKSPACE
from pipeline.records.containers import container
from pipeline.records.declare import DeclaredRecord, container_ids, declare_document
from pipeline.runtime import clients, services, settings
from pipeline.runtime.log import log_event
from schemas.case_file import CaseFile
from schemas.cases import CaseEvent
from schemas.retention import RetentionPlan
from schemas.snapshot import OrderSnapshot

OPENED_AT = "case.opened_at"
CLOSED_AT = "case.closed_at"
# No order told us a country: classify under the base RSI (no jurisdiction override).
UNKNOWN_COUNTRY = "ZZ"


class CaseUnknown(PermanentError):
    """A case fetch names a case the archive index does not hold."""


class CaseSource(FetchedSource):
    """A case file (`CaseFile`), assembled after applying the intake event it names."""

    name = CASE
    flow = "cases"

    def load(self, raw: bytes) -> CaseFile:
        return CaseFile.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[CaseFile, bytes]:
        store_hash, case_id = str(ref["store_hash"]), str(ref["case_id"])
        if ref.get("event"):
            event = CaseEvent.from_json_bytes(services.staging().get(str(ref["event"])))
            applied = services.archive_index().cases.apply(event)
            log_event(
                "case.event",
                store=store_hash,
                case=case_id,
                origin=event.origin,
                applied=applied,
                messages=len(event.messages),
                attachments=len(event.attachments),
            )
        intake.refresh_started(store_hash, case_id)
        case = self.read(store_hash, case_id)
        return case, case.to_json_bytes()

    def after_fetch(self, source: CaseFile) -> None:
        """Case before order: an order with no record yet is fetched (once per case: the
        fetch's ledger key is the case's); its records refresh the case when declared."""
        for order in source.orders:
            if order.order_id not in source.archived_orders:
                enqueue_order_event(
                    source.store_hash, order.order_id, "case", f"case-{source.case_id}"
                )

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        return services.archive_index().cases.changed(store_hash, since, until)

    def read(self, store_hash: str, subject_id: str) -> CaseFile:
        index = services.archive_index()
        state = index.cases.case(store_hash, subject_id)
        if state is None:
            raise CaseUnknown(f"no case {subject_id} of store {store_hash} in the archive index")
        return assemble(state, clients.bigcommerce(store_hash), index)

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        intake.send_fetch(intake.case_fetch_ref(store_hash, subject_id, reason, event_id))


KINDS: Mapping[str, DocumentKind] = {
    CASE_SUMMARY: DocumentKind(CASE_SUMMARY, NAMES[CASE_SUMMARY], CASE, render_case_summary),
    COMMUNICATION_LOG: DocumentKind(
        COMMUNICATION_LOG, NAMES[COMMUNICATION_LOG], CASE, render_communication_log
    ),
    CASE_ATTACHMENT: DocumentKind(
        CASE_ATTACHMENT, NAMES[CASE_ATTACHMENT], CASE, render_case_attachment, own_extension=True
    ),
    CASE_CLOSURE: DocumentKind(CASE_CLOSURE, NAMES[CASE_CLOSURE], CASE, render_case_closure),
}


def dispute_event(snapshot: OrderSnapshot) -> CaseEvent:
    """The case an order moving to Disputed opens: one per order, whatever fetch sees it."""
    order_id = snapshot.order.id
    return CaseEvent(
        event_id=f"dispute-{order_id}",
        origin="bigcommerce",
        store_hash=snapshot.store_hash,
        case_id=f"dispute-{order_id}",
        at=datetime.now(UTC),
        order_ids=(order_id,),
        opened_at=snapshot.order.date_modified,
        reason="dispute",
        subject=f"Order {order_id} disputed in BigCommerce",
        status="open",
        hold=True,
    )


class CasesFlow(Flow):
    name = "cases"
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        CASE_SUMMARY: (OPENED_AT,),
        COMMUNICATION_LOG: (OPENED_AT,),
        CASE_ATTACHMENT: (OPENED_AT,),
        CASE_CLOSURE: (OPENED_AT, CLOSED_AT),
    }

    @property
    def sources(self) -> frozenset[str]:
        """Case files, and the orders it watches (it owes no document from an order)."""
        return super().sources | {ORDER}

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        return due_documents(source) if isinstance(source, CaseFile) else []

    def source_fetched(self, source: Any) -> None:
        """A disputed order opens its case; a fetched order may bring new messages for
        the open cases about it (a closed case's log ends at its closure)."""
        if not isinstance(source, OrderSnapshot):
            return
        disputed = source.order.status_id == OrderStatus.DISPUTED
        if disputed and settings().cases_open_on_dispute:
            intake.submit(dispute_event(source))
        for case_id in services.archive_index().cases.cases_of_order(
            source.store_hash, source.order.id, open_only=True
        ):
            intake.refresh(source.store_hash, case_id, "order")

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        """A record of an order with cases, or of a case (but its summary, which lists
        the others), changes what the case's summary must list and link. Closed cases
        too: a case closed before its order was archived links the order's records when
        they are declared (found by the chaos scenario `cases`: a close delivered first
        left such a file without its links)."""
        if spec.subject.kind == CASE and spec.kind != CASE_SUMMARY:
            intake.refresh(spec.store_hash, spec.subject.id, "record")
        elif spec.subject.kind == ORDER:
            for case_id in services.archive_index().cases.cases_of_order(
                spec.store_hash, int(spec.subject.id)
            ):
                intake.refresh(spec.store_hash, case_id, "record")

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """The first order's billing country: the customer's, whose rules a complaint
        register follows."""
        countries = [o.country_iso2 for o in source.orders if o.country_iso2]
        return countries[0] if countries else UNKNOWN_COUNTRY

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        moment = source.closed_at if fact == CLOSED_AT else source.opened_at
        if moment is None:
            raise UnknownRecordDate(f"case {source.case_id} is not closed")
        return moment

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        """Identifiers only: the case, its orders, the first customer's id."""
        orders = list(source.orders)
        return {
            "Object Type": "case",
            "Object ID": source.case_id,
            "Order Number": ",".join(str(o.order_id) for o in orders)[:100],
            "Order ID": "",
            "Source ID": source.case_id + (f"/{spec.part}" if spec.part else ""),
            "Customer ID": str(source.customer_ids[0]) if source.customer_ids else "",
            "Currency": orders[0].currency_code if orders else "",
        }

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        """In the case's workspace, in its kind's folder; the hold is the workspace's."""
        return Placement(folders=(folder,), workspace=case_workspace(source))

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        """Case workspaces, the order workspaces they relate to, the Commerce Record
        attributes and the links to the orders' records. Hold names are per case
        (`CASE-<store>-<case id>`, type LEGAL), created as cases ask for them."""
        return EcmNeeds(
            workspace_types=frozenset({CASE_WORKSPACE, ORDER_WORKSPACE}),
            attributes=ATTRIBUTE_TYPES,
            xref_types=frozenset({CASE_CONTAINS}),
        )

    def declare(self, source: Any, spec: DocumentSpec, message: Mapping[str, Any]) -> Any:
        """Declare, then (for a summary or the closure) settle relations, links and the
        hold as the case file says: the summary lists them, the closure releases."""
        record: DeclaredRecord = declare_document(self, source, spec, message)
        if spec.kind in (CASE_SUMMARY, CASE_CLOSURE):
            otcs, ids = clients.otcs(), container_ids()
            placement = self.placement(source, spec, "")
            settle(otcs, ids, source, container(otcs, ids, placement, settings().otcs_root_id))
        return record


def new_case_id() -> str:
    """An id for a case the command line opens: `C-` and 8 hex digits."""
    return f"C-{uuid.uuid4().hex[:8]}"


FLOW = CasesFlow()
SOURCES = (CaseSource(),)
