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

Content Server calls (issue 18): a new record costs three, the upload (with its
category values, `roles.categories`), the declaration (one POST: class, official, RSI,
record date) and the fixity read, plus one per cross-reference it writes. Container
ids come from Redis (`containers`), the records to link from the archive index and a
register of what was filed per subject (`counterparts`); category and classification
ids are looked up once per process (`OTCSClient`). `shortcuts` can switch each saving
off, for the benchmark that measures them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Link, Placement
from pipeline.core.errors import PermanentError, TransientError
from pipeline.index.declared import declared_row
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import NameCollision, NodeNotFound
from pipeline.records import containers, shortcuts
from pipeline.records.containers import AskEveryTime, ContainerIds
from pipeline.runtime import clients, services, settings
from pipeline.runtime.log import log_event

if TYPE_CHECKING:
    from pipeline.core.contract import Flow

PDF = "application/pdf"
LEGAL_HOLD = "LEGAL"
SUPERSEDES = "SUPERSEDES"
# The attributes declare adds to the file plan's (`classify.RECORD_ATTRIBUTES`).
DECLARE_ATTRIBUTES = {"SHA-256": "String", "Template Version": "String"}


class FixityMismatch(PermanentError):
    """The ECM holds other bytes than we uploaded under the record's name."""


@dataclass(frozen=True)
class DeclaredRecord:
    node_id: int
    sha256: str
    adopted: bool


def container_ids() -> ContainerIds:
    """Where container ids come from in this process (see `shortcuts`)."""
    return services.container_ids() if shortcuts.active().remembered_ids else AskEveryTime()


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


def file_record(
    otcs: OTCSClient, folder_id: int, spec: DocumentSpec, message: Mapping[str, Any]
) -> tuple[Node, bool]:
    """Upload (or adopt) under the deterministic name, with its category, and declare it
    an official record; returns (the node, adopted)."""
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
    classification_id = otcs.rm_classification_id(record_class["classification"])
    record_date = date.fromisoformat(record_class["record_date"][:10])
    if adopted or not shortcuts.active().one_call_classify:
        otcs.classify_record(
            node.id,
            classification_id,
            official=True,
            record_date=record_date,
            rsi=record_class["rsi"],
        )
    else:
        otcs.declare_created(
            node.id,
            classification_id,
            official=True,
            record_date=record_date,
            rsi=record_class["rsi"],
        )
    return node, adopted


@dataclass(frozen=True)
class Counterparts:
    """The nodes a record is cross-referenced to: its document's earlier versions, and
    per link of its placement the versions of the linked document."""

    superseded: list[int]
    linked: list[tuple[Link, list[int]]]


def _indexed_counterparts(spec: DocumentSpec, node: Node, placement: Placement) -> Counterparts:
    """From the archive index and the subject register (`counterparts`): the index is
    read before registering, so a pair declared together is linked by exactly one."""
    indexed = services.archive_index().records_of_subject(
        spec.store_hash, spec.subject.kind, spec.subject.id
    )
    before = services.subject_register().filed_before(spec, node.id, node.name, indexed)
    prefix = names.version_prefix(spec.kind, spec.subject, spec.part)
    return Counterparts(
        superseded=[c.node_id for c in before if c.version_of(prefix)],
        linked=[
            (link, [c.node_id for c in before if c.version_of(link.stem + "-")])
            for link in placement.links
            if link.declared
        ],
    )


def _listed_links(
    otcs: OTCSClient,
    ids: ContainerIds,
    place: containers.Place,
    placement: Placement,
    links: Sequence[Link],
) -> list[tuple[Link, list[int]]]:
    """By listing: the versions of each link's document in its folder of the container."""
    base = containers.base_address(placement, settings().otcs_root_id)
    linked = []
    for link in links:
        address = (*base, link.folder)

        def listed(address: containers.Address = address, link: Link = link) -> list[Node]:
            folder_id = containers.existing_folder(otcs, ids, address, place.container_id)
            return [] if folder_id is None else versions(otcs, folder_id, link.stem + "-")

        found = containers.fresh_on_not_found(ids, [address], listed)
        linked.append((link, [n.id for n in found]))
    return linked


def _counterparts(
    otcs: OTCSClient,
    ids: ContainerIds,
    place: containers.Place,
    node: Node,
    spec: DocumentSpec,
    placement: Placement,
) -> Counterparts:
    """From the index and register; by listing for links to documents that are not
    records of ours (and for everything in the baseline sequence)."""
    if shortcuts.active().indexed_counterparts:
        found = _indexed_counterparts(spec, node, placement)
        others = [link for link in placement.links if not link.declared]
        return Counterparts(
            found.superseded,
            found.linked + _listed_links(otcs, ids, place, placement, others),
        )
    prefix = names.version_prefix(spec.kind, spec.subject, spec.part)
    return Counterparts(
        [n.id for n in versions(otcs, place.folder_id, prefix) if n.id != node.id],
        _listed_links(otcs, ids, place, placement, placement.links),
    )


def _cross_reference(otcs: OTCSClient, source_id: int, target_id: int, xref_type: str) -> bool:
    """Whether the link is there now; a counterpart gone from the ECM (deleted by a
    person) cannot be linked, and is skipped."""
    try:
        otcs.add_cross_reference(source_id, target_id, xref_type)
    except NodeNotFound:
        log_event(
            "declare.counterpart_gone",
            logging.WARNING,
            node=source_id,
            counterpart=target_id,
            xref_type=xref_type,
        )
        return False
    return True


def link_record(
    otcs: OTCSClient,
    ids: ContainerIds,
    place: containers.Place,
    node: Node,
    spec: DocumentSpec,
    placement: Placement,
) -> list[int]:
    """Cross-reference the record to its earlier versions, the records its placement
    links and the nodes it names; returns the node ids it supersedes (and is linked to)."""
    found = _counterparts(otcs, ids, place, node, spec, placement)
    superseded = [
        older_id
        for older_id in found.superseded
        if _cross_reference(otcs, node.id, older_id, SUPERSEDES)
    ]
    for link, targets in found.linked:
        for target_id in targets:
            pair = (node.id, target_id) if link.outgoing else (target_id, node.id)
            _cross_reference(otcs, *pair, link.xref_type)
    for node_link in placement.node_links:
        _cross_reference(otcs, node.id, node_link.node_id, node_link.xref_type)
    return superseded


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
    """Container, folders, upload (or adopt) with its category, official record, links,
    holds, fixity, then the archive index's row (before the ledger calls it declared: a
    crash in between declares again, which adopts the node and writes the same row)."""
    otcs = clients.otcs()
    ids = container_ids()
    root_id = settings().otcs_root_id
    placement = flow.placement(source, spec, message["record_class"]["folder"])

    def filed() -> tuple[containers.Place, Node, bool]:
        place = containers.place(otcs, ids, placement, root_id)
        return place, *file_record(otcs, place.folder_id, spec, message)

    stale = containers.addresses(placement, root_id)
    place, node, adopted = containers.fresh_on_not_found(ids, stale, filed)
    superseded = link_record(otcs, ids, place, node, spec, placement)
    apply_holds(otcs, node.id, placement.holds)
    record = verify_fixity(otcs, node.id, adopted, spec, message["sha256"])
    services.archive_index().record_declared(declared_row(node, message, record, superseded))
    _hold_for_subject(otcs, node.id, spec)
    for flow in registry.flows().values():
        flow.record_declared(spec, node.id)
    return record
