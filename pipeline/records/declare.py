"""Declare: file a rendered document in the ECM as an official record, exactly once.

Idempotent against the ECM itself, not only the ledger: the workspace, folder and
document names are deterministic, so a second run (redelivery, duplicate event, replay)
finds what the first one created. A name clash is "already there": the node is adopted,
and the fixity check reads back what the ECM holds. The document name carries the facts'
fingerprint, so a changed source gets a new name, a new record and a `SUPERSEDES`
cross-reference to the earlier versions; a declared record is never overwritten.

Where a record goes (workspace or folder path, folders, cross-references, holds) is its
flow's `Placement`; everything else here is the same for every flow. Holds open on the
record's subject in the archive index (a case's legal hold on its order) are applied too,
and every flow is told of the record (`Flow.record_declared`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Placement
from pipeline.core.errors import PermanentError, TransientError
from pipeline.index.declared import declared_row
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import NameCollision
from pipeline.runtime import clients, services, settings

if TYPE_CHECKING:
    from pipeline.core.contract import Flow

EXTERNAL_SYSTEM = "BigCommerce"
PDF = "application/pdf"
LEGAL_HOLD = "LEGAL"
SUPERSEDES = "SUPERSEDES"
# The attributes declare adds to the file plan's (`classify.RECORD_ATTRIBUTES`).
DECLARE_ATTRIBUTES = {"SHA-256": "String", "Template Version": "String"}


class FixityMismatch(PermanentError):
    """The ECM holds other bytes than we uploaded under the record's name."""


class ContainerMissing(PermanentError):
    """A folder path a placement names does not exist in the ECM: its set-up is incomplete,
    and creating a top-level records folder is a records manager's decision, not ours."""


@dataclass(frozen=True)
class DeclaredRecord:
    node_id: int
    sha256: str
    adopted: bool


def container(otcs: OTCSClient, placement: Placement, root_id: int) -> int:
    """The workspace (found or created) or existing folder path the record goes under."""
    if placement.workspace is not None:
        workspace = placement.workspace
        return otcs.ensure_workspace(
            EXTERNAL_SYSTEM, workspace.type, workspace.business_object_id, workspace.name
        )
    path = placement.root_path or ""
    node = otcs.resolve_path(root_id, path)
    if node is None:
        raise ContainerMissing(f"no folder {path!r} under node {root_id} in the ECM")
    return node.id


def _upload_or_adopt(
    otcs: OTCSClient,
    folder_id: int,
    name: str,
    data: bytes,
    media_type: str,
    categories: dict[int, Any],
) -> tuple[Node, bool]:
    try:
        return otcs.create_document(folder_id, name, data, media_type, categories), False
    except NameCollision:
        existing = otcs.find_child(folder_id, name)
        if existing is None:
            raise TransientError(f"{name} exists but cannot be found yet") from None
        return existing, True


def versions(otcs: OTCSClient, folder_id: int, prefix: str) -> list[Node]:
    """Every version of one document in its folder (its name prefix, any fingerprint)."""
    return [n for n in otcs.children(folder_id, where_name=prefix) if n.name.startswith(prefix)]


def _link(otcs: OTCSClient, container_id: int, node_id: int, placement: Placement) -> None:
    for link in placement.links:
        folder = otcs.find_child(container_id, link.folder)
        if folder is None:
            continue
        for node in versions(otcs, folder.id, link.stem + "-"):
            pair = (node_id, node.id) if link.outgoing else (node.id, node_id)
            otcs.add_cross_reference(*pair, link.xref_type)
    for node_link in placement.node_links:
        otcs.add_cross_reference(node_id, node_link.node_id, node_link.xref_type)


def apply_holds(otcs: OTCSClient, node_id: int, hold_names: Sequence[str]) -> None:
    """Apply holds by name (created as legal holds when new); applying one the node
    already carries directly is success."""
    if not hold_names:
        return
    held = {h.name for h in otcs.node_holds(node_id) if h.direct}
    for name in hold_names:
        if name not in held:
            otcs.apply_hold(node_id, otcs.ensure_hold(name, LEGAL_HOLD))


def _hold_for_subject(otcs: OTCSClient, node_id: int, spec: DocumentSpec) -> None:
    """The holds open on the record's subject. Asked after the index row is written, so
    a hold opened meanwhile finds the row and applies itself; asked again after applying,
    so a hold released meanwhile is taken off again rather than left behind."""
    holds = services.archive_index().holds
    open_now = holds.open_on(spec.store_hash, spec.subject.kind, spec.subject.id)
    apply_holds(otcs, node_id, open_now)
    for name in open_now:
        if not holds.is_open(name):
            hold = otcs.find_hold(name)
            if hold is not None:
                otcs.remove_hold(node_id, hold.id)


def file_record(
    otcs: OTCSClient, folder_id: int, spec: DocumentSpec, message: Mapping[str, Any]
) -> tuple[Node, bool, list[int]]:
    """Upload (or adopt) under the deterministic name, with its category, as an official
    record, linked to the earlier versions it supersedes; returns (the node, adopted, the
    node ids it supersedes)."""
    record_class = message["record_class"]
    data = services.staging().get(message["rendered"])
    category = otcs.category(record_class["category"])
    attributes = {
        **record_class["category_attributes"],
        "SHA-256": message["sha256"],
        "Template Version": message["template_version"],
    }
    node, adopted = _upload_or_adopt(
        otcs,
        folder_id,
        names.ecm_name(spec),
        data,
        message.get("media_type", PDF),
        {category.id: category.values(attributes)},
    )
    node_id = node.id
    otcs.classify_record(
        node_id,
        otcs.rm_classification_id(record_class["classification"]),
        official=True,
        record_date=date.fromisoformat(record_class["record_date"][:10]),
        rsi=record_class["rsi"],
    )
    prefix = names.version_prefix(spec.kind, spec.subject, spec.part)
    older = [node.id for node in versions(otcs, folder_id, prefix) if node.id != node_id]
    for older_id in older:
        otcs.add_cross_reference(node_id, older_id, SUPERSEDES)
    return node, adopted, older


def verify_fixity(
    otcs: OTCSClient, node_id: int, adopted: bool, spec: DocumentSpec, sha256: str
) -> DeclaredRecord:
    """The ECM's hash of what it holds is the record's proof. Only a fresh upload can be
    compared with our bytes: an adopted node was uploaded by an earlier run."""
    held = otcs.content_sha256(node_id)
    if not adopted and held != sha256:
        raise FixityMismatch(f"{names.ecm_name(spec)}: ECM holds {held}, uploaded {sha256}")
    return DeclaredRecord(node_id, held, adopted)


def declare_document(
    flow: Flow, source: Any, spec: DocumentSpec, message: Mapping[str, Any]
) -> DeclaredRecord:
    """Container, folders, upload (or adopt), category, official record, links, holds,
    fixity, then the archive index's row (before the ledger calls it declared: a crash in
    between declares again, which adopts the node and writes the same row)."""
    otcs = clients.otcs()
    placement = flow.placement(source, spec, message["record_class"]["folder"])
    container_id = container(otcs, placement, settings().otcs_root_id)
    folder_id = container_id
    for folder in placement.folders:
        folder_id = otcs.ensure_folder(folder_id, folder)
    node, adopted, superseded = file_record(otcs, folder_id, spec, message)
    _link(otcs, container_id, node.id, placement)
    apply_holds(otcs, node.id, placement.holds)
    record = verify_fixity(otcs, node.id, adopted, spec, message["sha256"])
    services.archive_index().record_declared(declared_row(node, message, record, superseded))
    _hold_for_subject(otcs, node.id, spec)
    for flow in registry.flows().values():
        flow.record_declared(spec, node.id)
    return record
