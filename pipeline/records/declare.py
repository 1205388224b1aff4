"""Declare: file a rendered document in the ECM as an official record, exactly once.

Idempotent against the ECM itself, not only the ledger: the workspace, folder and
document names are deterministic, so a second run (redelivery, duplicate event, replay)
finds what the first one created. A name clash is "already there": the node is adopted,
and the fixity check reads back what the ECM holds. The document name carries the facts'
fingerprint, so a changed source gets a new name, a new record and a `SUPERSEDES`
cross-reference to the earlier versions; a declared record is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.core.errors import PermanentError, TransientError
from pipeline.flows.commerce.document_stages import document_ref, snapshot_of
from pipeline.flows.commerce.documents import DocumentKind, DocumentRef
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.errors import NameCollision
from pipeline.records.classify import default_plan
from pipeline.runtime import services
from schemas.snapshot import OrderSnapshot

EXTERNAL_SYSTEM = "BigCommerce"
ORDER_WORKSPACE = "ORDER"
PDF = "application/pdf"

# (from kind, to kind, cross-reference type): the link always runs from → to, added by
# whichever of the two is declared second.
RELATIONS = (
    (DocumentKind.INVOICE, DocumentKind.ORDER_RECORD, "INVOICE_FOR"),
    (DocumentKind.CREDIT_NOTE, DocumentKind.INVOICE, "REFUND_OF"),
    (DocumentKind.PAYMENT_RECORD, DocumentKind.INVOICE, "PAYMENT_FOR"),
    (DocumentKind.SHIPPING_CONFIRMATION, DocumentKind.PACKING_SLIP, "SHIPMENT_OF"),
)


class FixityMismatch(PermanentError):
    """The ECM holds other bytes than we uploaded under the record's name."""


@dataclass(frozen=True)
class DeclaredRecord:
    node_id: int
    sha256: str
    adopted: bool


def ecm_name(ref: DocumentRef) -> str:
    """`order-100-invoice-3f2a9c1b.pdf`: the document's name plus its facts' version."""
    return f"{ref.filename.removesuffix('.pdf')}-{ref.fingerprint[:8]}.pdf"


def _stem(ref_filename: str) -> str:
    return ref_filename.removesuffix(".pdf") + "-"


def order_workspace(otcs: OTCSClient, ref: DocumentRef) -> int:
    """One business workspace per store and order, whoever gets there first."""
    bo_id = f"{ref.store_hash}-{ref.order_id}"
    return otcs.ensure_workspace(EXTERNAL_SYSTEM, ORDER_WORKSPACE, bo_id, f"Order {bo_id}")


def _upload_or_adopt(
    otcs: OTCSClient, folder_id: int, name: str, data: bytes, categories: dict[int, Any]
) -> tuple[int, bool]:
    try:
        return otcs.upload_document(folder_id, name, data, PDF, categories), False
    except NameCollision:
        existing = otcs.find_child(folder_id, name)
        if existing is None:
            raise TransientError(f"{name} exists but cannot be found yet") from None
        return existing.id, True


def _versions(otcs: OTCSClient, folder_id: int, filename: str) -> list[Any]:
    """Every version of one document in its folder (same stem, any fingerprint)."""
    stem = _stem(filename)
    return [n for n in otcs.children(folder_id, where_name=stem) if n.name.startswith(stem)]


def _counterpart_filenames(
    snapshot: OrderSnapshot, ref: DocumentRef, kind: DocumentKind
) -> list[str]:
    """File names of the `kind` documents that `ref` relates to, within its order."""
    if kind is DocumentKind.PACKING_SLIP and ref.kind is DocumentKind.SHIPPING_CONFIRMATION:
        address = snapshot.shipment(int(str(ref.sub_id))).order_address_id
        return [DocumentRef(kind, ref.store_hash, ref.order_id, str(address), "").filename]
    if kind is DocumentKind.SHIPPING_CONFIRMATION and ref.kind is DocumentKind.PACKING_SLIP:
        return [
            DocumentRef(kind, ref.store_hash, ref.order_id, str(s.id), "").filename
            for s in snapshot.shipments
            if str(s.order_address_id) == ref.sub_id
        ]
    return [DocumentRef(kind, ref.store_hash, ref.order_id, None, "").filename]


def _link_related(
    otcs: OTCSClient, workspace_id: int, node_id: int, ref: DocumentRef, snapshot: OrderSnapshot
) -> None:
    classes = default_plan().classes
    for source, target, xref_type in RELATIONS:
        if ref.kind not in (source, target):
            continue
        other = target if ref.kind is source else source
        folder = otcs.find_child(workspace_id, classes[other].folder)
        if folder is None:
            continue
        for filename in _counterpart_filenames(snapshot, ref, other):
            for node in _versions(otcs, folder.id, filename):
                pair = (node_id, node.id) if ref.kind is source else (node.id, node_id)
                otcs.add_cross_reference(*pair, xref_type)


def file_record(
    otcs: OTCSClient, folder_id: int, ref: DocumentRef, message: dict[str, Any]
) -> tuple[int, bool]:
    """Upload (or adopt) under the deterministic name, with its category, as an official
    record, linked to the earlier versions it supersedes; returns (node id, adopted)."""
    record_class = message["record_class"]
    data = services.staging().get(message["rendered"])
    category = otcs.category(record_class["category"])
    attributes = {
        **record_class["category_attributes"],
        "SHA-256": message["sha256"],
        "Template Version": message["template_version"],
    }
    node_id, adopted = _upload_or_adopt(
        otcs, folder_id, ecm_name(ref), data, {category.id: category.values(attributes)}
    )
    otcs.classify_record(
        node_id,
        otcs.rm_classification_id(record_class["classification"]),
        official=True,
        record_date=date.fromisoformat(record_class["record_date"][:10]),
        rsi=record_class["rsi"],
    )
    for older in _versions(otcs, folder_id, ref.filename):
        if older.id != node_id:
            otcs.add_cross_reference(node_id, older.id, "SUPERSEDES")
    return node_id, adopted


def verify_fixity(
    otcs: OTCSClient, node_id: int, adopted: bool, ref: DocumentRef, message: dict[str, Any]
) -> DeclaredRecord:
    """The ECM's hash of what it holds is the record's proof. Only a fresh upload can be
    compared with our bytes: an adopted node was uploaded by an earlier run."""
    held = otcs.content_sha256(node_id)
    if not adopted and held != message["sha256"]:
        raise FixityMismatch(f"{ecm_name(ref)}: ECM holds {held}, uploaded {message['sha256']}")
    return DeclaredRecord(node_id, held, adopted)


def declare_document(otcs: OTCSClient, message: dict[str, Any]) -> DeclaredRecord:
    """Workspace, folder, upload (or adopt), category, official record, links, fixity."""
    ref = document_ref(message)
    workspace_id = order_workspace(otcs, ref)
    folder_id = otcs.ensure_folder(workspace_id, message["record_class"]["folder"])
    node_id, adopted = file_record(otcs, folder_id, ref, message)
    _link_related(otcs, workspace_id, node_id, ref, snapshot_of(message))
    return verify_fixity(otcs, node_id, adopted, ref, message)
