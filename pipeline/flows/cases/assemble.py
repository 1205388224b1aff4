"""Assembling a case file: the case as the archive index holds it, each order as
BigCommerce has it now (header and order messages), and every record already filed in
the case or about its orders, from the index.

Two BigCommerce calls per order; the order's own records are read from the index, not
fetched again: they are linked, not copied. Customer e-mail addresses and names in the
API's answers are dropped here, so nothing downstream can print them.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pipeline.flows.cases.documents import CASE
from pipeline.index.cases import ORDER_SUBJECT, CaseState
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import DeclaredRecordRow
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from schemas.case_file import (
    HOLD_ACTIVE,
    HOLD_NONE,
    HOLD_RELEASED,
    Attachment,
    CaseFile,
    LogEntry,
    ManifestEntry,
    OrderFacts,
    TimelineEntry,
)

# What each order record's date says happened, for the timeline.
TIMELINE_KINDS = {
    "payment_record": "payment recorded",
    "shipping_confirmation": "shipped",
    "credit_note": "refunded",
}


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    return parsedate_to_datetime(str(value))


def order_facts(order: dict[str, Any]) -> OrderFacts:
    billing = order.get("billing_address") or {}
    created = _date(order["date_created"])
    assert created is not None
    return OrderFacts(
        order_id=int(order["id"]),
        customer_id=int(order.get("customer_id") or 0),
        status_id=int(order["status_id"]),
        status=str(order.get("status", "")),
        date_created=created,
        date_shipped=_date(order.get("date_shipped")),
        payment_status=str(order.get("payment_status", "")),
        currency_code=str(order.get("currency_code", "")),
        country_iso2=str(billing.get("country_iso2", "")).upper(),
    )


def _order_log(order: dict[str, Any], messages: list[dict[str, Any]]) -> list[LogEntry]:
    """The order's messages, and its customer message and staff notes (dated at the
    order's creation: the API keeps no other date for them)."""
    order_id, created = int(order["id"]), _date(order["date_created"])
    assert created is not None
    entries = [
        LogEntry(
            at=_date(m["date_created"]) or created,
            channel="order message",
            author=(f"customer {m['customer_id']}" if m.get("customer_id") else "staff"),
            order_id=order_id,
            text=" — ".join(p for p in (str(m.get("subject") or ""), str(m["message"])) if p),
        )
        for m in messages
    ]
    if order.get("customer_message"):
        author = f"customer {order.get('customer_id') or 0}"
        text = str(order["customer_message"])
        entries.append(LogEntry(created, "order comment", author, order_id, text))
    if order.get("staff_notes"):
        entries.append(
            LogEntry(created, "staff notes", "staff", order_id, str(order["staff_notes"]))
        )
    return entries


def _until_closed(messages: list[dict[str, Any]], state: CaseState) -> list[dict[str, Any]]:
    """A closed case's communication ends at its closure: later order messages belong to
    whatever case is open then, and the file stays what it was when it closed (it is
    refreshed after closing only to link records of its orders declared late)."""
    closed = state.closed_at
    if closed is None:
        return messages
    return [m for m in messages if (_date(m["date_created"]) or closed) <= closed]


def _timeline(
    facts: OrderFacts, rows: list[DeclaredRecordRow], log: list[LogEntry]
) -> list[TimelineEntry]:
    entries = [TimelineEntry(facts.date_created, facts.order_id, "placed")]
    if facts.date_shipped is not None:
        entries.append(TimelineEntry(facts.date_shipped, facts.order_id, "shipped"))
    for row in rows:
        event = TIMELINE_KINDS.get(row.kind)
        if event is not None:
            moment = datetime.combine(
                row.record_date, datetime.min.time(), facts.date_created.tzinfo
            )
            entries.append(TimelineEntry(moment, facts.order_id, f"{event} ({row.part})"))
    entries += [
        TimelineEntry(e.at, facts.order_id, "message") for e in log if e.channel == "order message"
    ]
    return entries


def _manifest(rows: list[DeclaredRecordRow], in_file: bool) -> list[ManifestEntry]:
    return [
        ManifestEntry(
            record_key=r.record_key,
            kind=r.kind,
            subject=r.subject,
            ecm_name=r.ecm_name,
            node_id=r.ecm_node_id,
            sha256=r.sha256,
            record_date=r.record_date,
            in_file=in_file,
        )
        for r in rows
    ]


def hold_state(state: CaseState) -> str:
    if not state.hold:
        return HOLD_NONE
    return HOLD_RELEASED if state.hold_released else HOLD_ACTIVE


def assemble(state: CaseState, client: BigCommerceClient, index: ArchiveIndex) -> CaseFile:
    orders, timeline, log, manifest, archived = [], [], [], [], []
    for order_id in state.order_ids:
        order = client.get_order(order_id, include=())
        order_log = _order_log(order, _until_closed(client.order_messages(order_id), state))
        facts = order_facts(order)
        rows = index.records_of_subject(state.store_hash, ORDER_SUBJECT, str(order_id))
        orders.append(facts)
        log += order_log
        timeline += _timeline(facts, rows, order_log)
        manifest += _manifest(rows, in_file=False)
        if rows:
            archived.append(order_id)
    log += [LogEntry(m.at, "helpdesk", m.author_role, None, m.text) for m in state.messages]
    manifest += _manifest(index.records_of_subject(state.store_hash, CASE, state.case_id), True)
    return CaseFile(
        store_hash=state.store_hash,
        case_id=state.case_id,
        origin=state.origin,
        reason=state.reason,
        subject=state.subject,
        status=state.status,
        opened_at=state.opened_at,
        closed_at=state.closed_at,
        hold_name=state.hold_name,
        hold_state=hold_state(state),
        orders=tuple(orders),
        archived_orders=tuple(archived),
        timeline=tuple(sorted(timeline, key=lambda t: (t.at, t.order_id, t.event))),
        log=tuple(sorted(log, key=lambda e: (e.at, e.channel, e.order_id or 0, e.text))),
        attachments=tuple(Attachment(n, ref) for n, ref in state.attachments),
        manifest=tuple(sorted(manifest, key=lambda m: (not m.in_file, m.subject, m.ecm_name))),
    )
