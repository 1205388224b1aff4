"""Reading declared records back from the ECM, through the REST client only.

The ECM is the system of record: a document's "Commerce Record" category holds what the
record is (key, kind, store, order, source id, file plan version, SHA-256), its RM
classification the RSI and record date, its SUPERSEDES cross-references the earlier
versions, and an order document's PDF/A carries the order snapshot it was drawn from.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf

from pipeline.flows.fulfilment.tax_summaries import TAX_SUMMARY_MONTHLY
from pipeline.index.rows import DeclaredRecordRow, ecm_time, row_from_attributes
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.records.classify import default_plan
from schemas.snapshot import ORDER_SNAPSHOT_FORMAT, OrderSnapshot

# Declare files every order document in the order's business workspace (see
# pipeline/records/declare.py), named "Order <store>-<order>".
EXTERNAL_SYSTEM = "BigCommerce"
ORDER_WORKSPACE = "ORDER"
CASE_WORKSPACE = "CASE"
RECALL_WORKSPACE = "RECALL"
SUPERSEDES = "SUPERSEDES"
DOCUMENT = 144


class NotARecord(ValueError):
    """A document without the facts of a declared record (filed by hand, or half-filed)."""


@dataclass(frozen=True)
class EcmRecord:
    row: DeclaredRecordRow
    node: Node


def order_workspaces(otcs: OTCSClient, store_hash: str) -> Iterator[tuple[int, Node]]:
    """(order id, workspace) of every order workspace of the store."""
    prefix = f"Order {store_hash}-"
    for workspace in otcs.workspaces(EXTERNAL_SYSTEM, ORDER_WORKSPACE):
        rest = workspace.name.removeprefix(prefix)
        if rest != workspace.name and rest.isdigit():
            yield int(rest), workspace


def _named(otcs: OTCSClient, bo_type: str, prefix: str) -> Iterator[Node]:
    return (w for w in otcs.workspaces(EXTERNAL_SYSTEM, bo_type) if w.name.startswith(prefix))


def case_workspaces(otcs: OTCSClient, store_hash: str) -> Iterator[Node]:
    """Every case workspace of the store (flow 2: `Case <store>-<case id>`)."""
    return _named(otcs, CASE_WORKSPACE, f"Case {store_hash}-")


def recall_workspaces(otcs: OTCSClient, store_hash: str) -> Iterator[Node]:
    """Every recall workspace of the store (flow 6: `Recall <store>-RCL-<id>`)."""
    return _named(otcs, RECALL_WORKSPACE, f"Recall {store_hash}-RCL-")


def documents_under(otcs: OTCSClient, container_id: int) -> Iterator[Node]:
    """Documents in a container and one folder level below it (declare's layout)."""
    for child in otcs.children(container_id):
        if child.type == DOCUMENT:
            yield child
        elif child.is_container:
            yield from (n for n in otcs.children(child.id) if n.type == DOCUMENT)


def tax_summary_folder(otcs: OTCSClient, root_id: int, store_hash: str) -> Node | None:
    folder = default_plan().classes[TAX_SUMMARY_MONTHLY].folder
    return otcs.resolve_path(root_id, f"{folder}/{store_hash}")


def category_attributes(otcs: OTCSClient, node_id: int) -> dict[str, str]:
    """The node's "Commerce Record" attributes by name; empty when it has none."""
    category = otcs.category(default_plan().category)
    names = {key: name for name, key in category.keys.items()}
    values = otcs.get_categories(node_id).get(category.id, {})
    return {names[k]: "" if v is None else str(v) for k, v in values.items() if k in names}


def superseded(otcs: OTCSClient, node_id: int) -> list[int]:
    return [x.target_id for x in otcs.cross_references(node_id) if x.xref_type == SUPERSEDES]


def read_record(otcs: OTCSClient, node: Node) -> EcmRecord:
    """The index row of one declared document; NotARecord if the ECM lacks its facts."""
    attributes = category_attributes(otcs, node.id)
    missing = {"Record Key", "Document Kind", "Store Hash", "SHA-256"} - set(attributes)
    if missing:
        raise NotARecord(f"{node.name} (node {node.id}) lacks {sorted(missing)}")
    details = otcs.record_details(node.id)
    if details.record_date is None or not details.rsi:
        raise NotARecord(f"{node.name} (node {node.id}) is not classified as a record")
    created = node.properties.get("create_date")
    if not created:
        raise NotARecord(f"{node.name} (node {node.id}) has no creation date")
    row = row_from_attributes(
        attributes,
        ecm_name=node.name,
        ecm_node_id=node.id,
        rsi=details.rsi,
        record_date=details.record_date,
        declared_at=ecm_time(str(created)),
        supersedes=superseded(otcs, node.id),
    )
    return EcmRecord(row, node)


def embedded_snapshot(otcs: OTCSClient, node_id: int) -> OrderSnapshot | None:
    """The order snapshot attached to an archived order document, if it carries one."""
    with pikepdf.open(io.BytesIO(otcs.download(node_id))) as pdf:
        for spec in pdf.attachments.values():
            raw = spec.get_file().read_bytes()
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("format") == ORDER_SNAPSHOT_FORMAT:
                return OrderSnapshot.load(data)
    return None
