"""Reconciliation: does the ECM hold what BigCommerce says a store owes, as the ledger says?

A poll or webhook can be missed, a chain can be dead-lettered, and an ECM can lose a node
(a restore from an older backup, an administrator). Reconciliation asks the source again:
for every order changed or refunded in a window it recomputes the due documents, looks
each one up in the order's workspace through the REST API only (so it runs against a real
Content Server, not the emulator's inventory), compares the ECM's content SHA-256 with the
ledger's, and reports what is missing, what differs, and what the workspace holds that no
due document explains. `repair` hands the orders with missing records back to the pipeline.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.core import keys
from pipeline.core.errors import PermanentError
from pipeline.core.ledger import Ledger
from pipeline.flows.commerce.documents import DocumentKind, DocumentRef, due_documents
from pipeline.flows.commerce.intake import enqueue_order_event
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.ops import reports
from pipeline.records.classify import default_plan
from pipeline.records.declare import EXTERNAL_SYSTEM, ORDER_WORKSPACE, ecm_name
from pipeline.runtime import services
from pipeline.runtime.log import log_event

# The fingerprint part `ecm_name` appends; without it, a name is its document's file stem.
_VERSION_SUFFIX = re.compile(r"-[0-9a-f]{8}\.pdf$")


@dataclass(frozen=True)
class Finding:
    """One document that needs a look: where it is (or should be) and what is wrong."""

    order_id: int
    path: str
    detail: str
    record_key: str | None = None
    ledger_state: str = ""


@dataclass
class ReconcileReport:
    """What one run found for one store and window; `ok` is what the exit code says."""

    store_hash: str
    since: str
    until: str
    started_at: str
    finished_at: str = ""
    orders: int = 0
    due_documents: int = 0
    verified: int = 0
    missing: list[Finding] = field(default_factory=list)
    hash_mismatch: list[Finding] = field(default_factory=list)
    ledger_disagrees: list[Finding] = field(default_factory=list)
    extra: list[Finding] = field(default_factory=list)
    earlier_versions: list[Finding] = field(default_factory=list)
    unreadable: list[Finding] = field(default_factory=list)
    repaired_orders: list[int] = field(default_factory=list)

    @property
    def lost(self) -> list[Finding]:
        """Missing records no stage dead-lettered: the pipeline dropped them, and a
        re-fetch brings them back. A dead-lettered one waits for a person instead."""
        return [f for f in self.missing if f.ledger_state != "dead_lettered"]

    @property
    def unrepaired(self) -> list[Finding]:
        return [f for f in self.missing if f.order_id not in self.repaired_orders]

    @property
    def ok(self) -> bool:
        """Extras and earlier versions are reported, not failed: only a person can tell
        whether a document filed by hand belongs in the workspace."""
        return not (
            self.unrepaired or self.hash_mismatch or self.ledger_disagrees or self.unreadable
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def orders_in_window(client: BigCommerceClient, since: datetime, until: datetime) -> list[int]:
    """Orders modified in the window (a shipment or status change moves `date_modified`),
    plus orders refunded in it: a refund does not always move it (see the refund poller)."""
    modified = client.iter_orders(min_date_modified=since, max_date_modified=until, include=())
    refunded = client.iter_refunds(created_min=since, created_max=until)
    return sorted({int(o["id"]) for o in modified} | {int(r["order_id"]) for r in refunded})


def owed_documents(client: BigCommerceClient, store_hash: str, order_id: int) -> list[DocumentRef]:
    """Every document the order owes now, from a fresh snapshot (as fetch computes it)."""
    return due_documents(fetch_order_snapshot(client, store_hash, order_id))


def workspace_documents(otcs: OTCSClient, store_hash: str, order_id: int) -> dict[str, Node]:
    """`folder/name` → node of every document in the order's workspace (declare files them
    one folder deep; a document loose in the workspace shows as `/name`)."""
    workspace = otcs.find_workspace(EXTERNAL_SYSTEM, ORDER_WORKSPACE, f"{store_hash}-{order_id}")
    if workspace is None:
        return {}
    found: dict[str, Node] = {}
    for child in otcs.children(workspace.id):
        if not child.is_container:
            found[f"/{child.name}"] = child
            continue
        for node in otcs.children(child.id):
            if not node.is_container:
                found[f"{child.name}/{node.name}"] = node
    return found


def _check_order(
    report: ReconcileReport,
    otcs: OTCSClient,
    ledger: Ledger,
    order_id: int,
    refs: list[DocumentRef],
    folders: dict[DocumentKind, str],
) -> None:
    held = workspace_documents(otcs, report.store_hash, order_id)
    paths = [f"{folders[ref.kind]}/{ecm_name(ref)}" for ref in refs]
    records = ledger.get_many(r.record_key for r in refs)
    for ref, path, record in zip(refs, paths, records, strict=True):
        node = held.get(path)
        state = record.get("state", "absent")
        if node is None:
            finding = Finding(order_id, path, f"ledger: {state}", ref.record_key, state)
            report.missing.append(finding)
            continue
        held_sha = otcs.content_sha256(node.id)
        if state != "declared" or record.get("target_id") != str(node.id):
            detail = f"ledger: {state}, node {record.get('target_id', '-')}; ECM: node {node.id}"
            report.ledger_disagrees.append(Finding(order_id, path, detail, ref.record_key))
        elif record.get("sha256") != held_sha:
            detail = f"ECM {held_sha}, ledger {record.get('sha256')}"
            report.hash_mismatch.append(Finding(order_id, path, detail, ref.record_key))
        else:
            report.verified += 1
    stems = {f"{folders[ref.kind]}/{ref.filename.removesuffix('.pdf')}" for ref in refs}
    for path in sorted(set(held) - set(paths)):
        if _VERSION_SUFFIX.sub("", path) in stems:
            report.earlier_versions.append(Finding(order_id, path, "superseded version"))
        else:
            report.extra.append(Finding(order_id, path, "no due document has this name"))


def reconcile(
    bc_client: BigCommerceClient,
    otcs_client: OTCSClient,
    ledger: Ledger,
    store_hash: str,
    since: datetime,
    until: datetime,
    on_progress: Callable[[int, int], None] = lambda n, total: None,
) -> ReconcileReport:
    """Compare the store's orders changed in [since, until] with the ledger and the ECM."""
    report = ReconcileReport(store_hash, since.isoformat(), until.isoformat(), _now())
    folders = {kind: rule.folder for kind, rule in default_plan().classes.items()}
    order_ids = orders_in_window(bc_client, since, until)
    for done, order_id in enumerate(order_ids, start=1):
        report.orders += 1
        try:
            refs = owed_documents(bc_client, store_hash, order_id)
        except PermanentError as exc:  # one bad order must not hide the rest
            report.unreadable.append(Finding(order_id, "", f"{type(exc).__name__}: {exc}"))
            continue
        report.due_documents += len(refs)
        _check_order(report, otcs_client, ledger, order_id, refs, folders)
        on_progress(done, len(order_ids))
    report.finished_at = _now()
    log_event(
        "reconcile.finished",
        logging.INFO if report.ok else logging.ERROR,
        store_hash=store_hash,
        orders=report.orders,
        due_documents=report.due_documents,
        verified=report.verified,
        missing=len(report.missing),
        hash_mismatch=len(report.hash_mismatch),
        ledger_disagrees=len(report.ledger_disagrees),
        extra=len(report.extra),
        earlier_versions=len(report.earlier_versions),
        unreadable=len(report.unreadable),
    )
    return report


def repair(report: ReconcileReport) -> list[int]:
    """Re-enqueue a fresh fetch (event `reconcile:<time>`) for every order with records
    missing, and return those orders. Each missing record is reopened in the ledger first:
    its stored stage results would otherwise short-cut the new chain, and a record the
    ledger calls declared but the ECM lost would stay lost. A record a stage dead-lettered
    is left to `bcrm dlq replay`: it failed for a reason a person must see, and re-fetching
    would only file it again. Hash mismatches are left for a person too: a declared record
    is never overwritten."""
    ledger, audit = services.ledger(), services.audit()
    event_id = f"reconcile:{_now()}"
    lost = report.lost
    for record_key in (f.record_key for f in lost if f.record_key):
        previous = ledger.reopen(record_key)
        if previous is not None:
            audit.append("reconcile.reopened", record_key, previous_state=previous)
    orders = sorted({finding.order_id for finding in lost})
    for order_id in orders:
        enqueue_order_event(report.store_hash, order_id, "reconcile", event_id)
    report.repaired_orders = orders
    log_event("reconcile.repaired", store_hash=report.store_hash, orders=len(orders))
    return orders


def keep_report(client: redis.Redis, report: ReconcileReport) -> None:
    """The latest report per store, and a capped history, for operators and alerting."""
    reports.keep(
        client,
        keys.reconcile_latest(report.store_hash),
        keys.reconcile_history(report.store_hash),
        report.to_json(),
    )
