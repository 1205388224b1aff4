"""Rebuild a store's rows of the archive index from the ECM alone.

The index is a copy made for fast lookups; the ECM is the system of record. A rebuild
reads every declared record of the store back (order, case and recall workspaces and the
store's tax summary folder), takes each order's lines and their discounts from the
snapshot embedded in its most recently filed document (the one the last declare saw),
compares the result with the index and, unless it is a dry run, replaces the store's
rows with it in one transaction (and then its line discounts, in another).
A case's state (its thread and attachment references) is not rebuilt: its records are; a
recall's facts are read from its workspace's category by the ECM poller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pipeline.index.discounts import OrderDiscountRows, OrderDiscounts, order_discounts_of
from pipeline.index.ecm import (
    NotARecord,
    case_workspaces,
    documents_under,
    embedded_snapshot,
    order_workspaces,
    read_record,
    recall_workspaces,
    tax_summary_folder,
)
from pipeline.index.records import ArchiveIndex, StoreContent
from pipeline.index.rows import DeclaredRecordRow, OrderLineRow, order_lines_of
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from schemas.snapshot import OrderSnapshot

Lines = tuple[datetime, tuple[OrderLineRow, ...]]


@dataclass
class RebuildReport:
    """What the ECM holds for a store against what the index held, key by key."""

    store_hash: str
    dry_run: bool
    records: int = 0
    orders: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # record key -> {column: [index value, ECM value]} of each changed record
    differences: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    lines_added: list[int] = field(default_factory=list)
    lines_changed: list[int] = field(default_factory=list)
    lines_removed: list[int] = field(default_factory=list)
    # orders whose line discounts (flow 7's closeouts count them) differ, either way
    discounts_changed: list[int] = field(default_factory=list)
    not_records: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (
            self.added
            or self.changed
            or self.removed
            or self.lines_added
            or self.lines_changed
            or self.lines_removed
            or self.discounts_changed
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "store_hash": self.store_hash,
            "dry_run": self.dry_run,
            "records": self.records,
            "orders": self.orders,
            "records_added": self.added,
            "records_changed": self.changed,
            "differences": self.differences,
            "records_removed": self.removed,
            "orders_added": self.lines_added,
            "orders_changed": self.lines_changed,
            "orders_removed": self.lines_removed,
            "order_discounts_changed": self.discounts_changed,
            "not_records": self.not_records,
            "unchanged": self.unchanged,
        }


@dataclass
class EcmContent:
    """The store's rows as the ECM holds them."""

    records: dict[str, DeclaredRecordRow] = field(default_factory=dict)
    orders: dict[int, Lines] = field(default_factory=dict)
    discounts: dict[int, OrderDiscountRows] = field(default_factory=dict)
    not_records: list[str] = field(default_factory=list)


def _order_snapshot(otcs: OTCSClient, newest_first: list[int]) -> OrderSnapshot | None:
    for node_id in newest_first:
        snapshot = embedded_snapshot(otcs, node_id)
        if snapshot is not None:
            return snapshot
    return None


def read_store(
    otcs: OTCSClient,
    store_hash: str,
    root_id: int,
    on_order: Callable[[int], None] = lambda order_id: None,
) -> EcmContent:
    """Every declared record of the store and the lines of every archived order."""
    content = EcmContent()

    def add(node: Node) -> DeclaredRecordRow | None:
        try:
            row = read_record(otcs, node).row
        except NotARecord as exc:
            content.not_records.append(str(exc))
            return None
        if row.store_hash != store_hash:
            content.not_records.append(f"{node.name} (node {node.id}) belongs to {row.store_hash}")
            return None
        content.records[row.record_key] = row
        return row

    for order_id, workspace in order_workspaces(otcs, store_hash):
        rows = [
            row for node in documents_under(otcs, workspace.id) if (row := add(node)) is not None
        ]
        newest = sorted(rows, key=lambda r: (r.declared_at, r.ecm_node_id), reverse=True)
        snapshot = _order_snapshot(otcs, [r.ecm_node_id for r in newest])
        if snapshot is not None:
            content.orders[order_id] = (
                snapshot.order.date_created,
                tuple(order_lines_of(snapshot)),
            )
            discounts = order_discounts_of(snapshot)
            if discounts[2]:
                content.discounts[order_id] = discounts
        on_order(order_id)
    for workspace in (*case_workspaces(otcs, store_hash), *recall_workspaces(otcs, store_hash)):
        for node in documents_under(otcs, workspace.id):
            add(node)
    folder = tax_summary_folder(otcs, root_id, store_hash)
    if folder is not None:
        for node in documents_under(otcs, folder.id):
            add(node)
    return content


def compare(
    report: RebuildReport,
    current: StoreContent,
    wanted: EcmContent,
    discounts: dict[int, OrderDiscountRows],
) -> None:
    report.records, report.orders = len(wanted.records), len(wanted.orders)
    report.not_records = wanted.not_records
    report.added = sorted(set(wanted.records) - set(current.records))
    report.removed = sorted(set(current.records) - set(wanted.records))
    report.changed = sorted(
        k
        for k in set(wanted.records) & set(current.records)
        if wanted.records[k] != current.records[k]
    )
    for key in report.changed:
        old, new = asdict(current.records[key]), asdict(wanted.records[key])
        report.differences[key] = {
            name: [str(old[name]), str(new[name])] for name in old if old[name] != new[name]
        }
    report.lines_added = sorted(set(wanted.orders) - set(current.orders))
    report.lines_removed = sorted(set(current.orders) - set(wanted.orders))
    report.lines_changed = sorted(
        o for o in set(wanted.orders) & set(current.orders) if wanted.orders[o] != current.orders[o]
    )
    report.discounts_changed = sorted(
        o
        for o in set(wanted.discounts) | set(discounts)
        if wanted.discounts.get(o) != discounts.get(o)
    )


def rebuild(
    otcs: OTCSClient,
    index: ArchiveIndex,
    store_hash: str,
    root_id: int,
    dry_run: bool = False,
    on_order: Callable[[int], None] = lambda order_id: None,
) -> RebuildReport:
    """Compare the store's rows with the ECM and, unless `dry_run`, replace them."""
    report = RebuildReport(store_hash, dry_run)
    wanted = read_store(otcs, store_hash, root_id, on_order)
    order_discounts = OrderDiscounts(index.engine)
    compare(
        report, index.store_content(store_hash), wanted, order_discounts.store_content(store_hash)
    )
    if not dry_run and not report.unchanged:
        index.replace_store(store_hash, wanted.records, wanted.orders)
        order_discounts.replace_store(store_hash, wanted.discounts)
    return report
