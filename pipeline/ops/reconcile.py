"""Reconciliation: does the ECM hold what the sources say a store owes, as the ledger says?

A poll or webhook can be missed, a chain can be dead-lettered, and an ECM can lose a node
(a restore from an older backup, an administrator). Reconciliation asks each fetched source
again (`FetchedSource.subjects_changed`, `read`): for every subject changed in a window
(an order changed or refunded) it recomputes the documents every flow owes from it, looks
each one up where its flow places it through the REST API only (so it runs against a real
Content Server, not the emulator's inventory), compares the ECM's content SHA-256 with the
ledger's, and reports what is missing, what differs, and what the containers hold that no
owed document explains. `repair` hands the subjects with missing records back to the
pipeline.

Some records outlive what the source can show: a disclosure version replaced in the store
is owed forever, yet no read of the store names it again. Those come from the flow's own
memory (`Flow.documents_kept`, the archive index) and are checked the same way, every run,
whatever the window; a container they fill is judged for extras from that list, since a
subject's read names only its part of it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, FetchedSource, Placement
from pipeline.core.errors import PermanentError
from pipeline.core.ledger import Ledger
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.ops import reports
from pipeline.records.classify import default_plan
from pipeline.records.containers import EXTERNAL_SYSTEM
from pipeline.runtime import services, settings
from pipeline.runtime.log import log_event

# The fingerprint part `ecm_name` appends; without it, a name is its document's file stem.
_VERSION_SUFFIX = re.compile(r"-[0-9a-f]{8}\.pdf$")


@dataclass(frozen=True)
class Finding:
    """One document that needs a look: its subject (`order:100`), where it is (or should
    be) and what is wrong."""

    subject: str
    path: str
    detail: str
    record_key: str | None = None
    ledger_state: str = ""
    # False for a record only the flow's memory owes (`Flow.documents_kept`): the source
    # no longer shows it, so fetching again cannot bring it back; a person restores it.
    refetchable: bool = True


@dataclass
class ReconcileReport:
    """What one run found for one store and window; `ok` is what the exit code says."""

    store_hash: str
    since: str
    until: str
    started_at: str
    finished_at: str = ""
    subjects: int = 0
    due_documents: int = 0
    verified: int = 0
    missing: list[Finding] = field(default_factory=list)
    hash_mismatch: list[Finding] = field(default_factory=list)
    ledger_disagrees: list[Finding] = field(default_factory=list)
    extra: list[Finding] = field(default_factory=list)
    earlier_versions: list[Finding] = field(default_factory=list)
    unreadable: list[Finding] = field(default_factory=list)
    repaired_subjects: list[str] = field(default_factory=list)

    @property
    def lost(self) -> list[Finding]:
        """Missing records no stage dead-lettered: the pipeline dropped them, and a
        re-fetch brings them back. A dead-lettered one waits for a person instead."""
        return [f for f in self.missing if f.ledger_state != "dead_lettered" and f.refetchable]

    @property
    def unrepaired(self) -> list[Finding]:
        return [f for f in self.missing if f.subject not in self.repaired_subjects]

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


def container_documents(otcs: OTCSClient, placement: Placement, root_id: int) -> dict[str, Node]:
    """`folder/name` → node of every document where a placement files (declare files
    them one folder deep; a document loose in the container shows as `/name`)."""
    if placement.workspace is not None:
        workspace = placement.workspace
        found_at = otcs.find_workspace(
            EXTERNAL_SYSTEM, workspace.type, workspace.business_object_id
        )
    else:
        found_at = otcs.resolve_path(root_id, placement.root_path or "")
    if found_at is None:
        return {}
    found: dict[str, Node] = {}
    for child in otcs.children(found_at.id):
        if not child.is_container:
            found[f"/{child.name}"] = child
            continue
        for node in otcs.children(child.id):
            if not node.is_container:
                found[f"{child.name}/{node.name}"] = node
    return found


def _container(placement: Placement) -> tuple[str, str]:
    workspace = placement.workspace
    if workspace is not None:
        return workspace.type, workspace.business_object_id
    return "path", placement.root_path or ""


def _check_subject(
    report: ReconcileReport,
    otcs: OTCSClient,
    ledger: Ledger,
    subject: str,
    owed: list[tuple[DocumentSpec, Placement]],
    *,
    judge_extras: bool = True,
    kept: bool = False,
) -> None:
    """Every owed document in its place with the ledger's hash, and, when `owed` is all
    its container should hold, what else is there."""
    root_id = settings().otcs_root_id
    held = container_documents(otcs, owed[0][1], root_id) if owed else {}
    paths = [f"{placement.folders[-1]}/{names.ecm_name(spec)}" for spec, placement in owed]
    record_keys = [names.record_key(spec) for spec, _ in owed]
    records = recorded(ledger, record_keys)
    for record_key, path, record in zip(record_keys, paths, records, strict=True):
        node = held.get(path)
        state = record.get("state", "absent")
        if node is None:
            detail = f"ledger: {state}" + ("; the store no longer shows it" if kept else "")
            report.missing.append(
                Finding(subject, path, detail, record_key, state, refetchable=not kept)
            )
            continue
        held_sha = otcs.content_sha256(node.id)
        if state != "declared" or record.get("target_id") != str(node.id):
            detail = f"ledger: {state}, node {record.get('target_id', '-')}; ECM: node {node.id}"
            report.ledger_disagrees.append(Finding(subject, path, detail, record_key))
        elif record.get("sha256") != held_sha:
            detail = f"ECM {held_sha}, ledger {record.get('sha256')}"
            report.hash_mismatch.append(Finding(subject, path, detail, record_key))
        else:
            report.verified += 1
    stems = {f"{placement.folders[-1]}/{names.stem_of(spec)}" for spec, placement in owed}
    for path in sorted(set(held) - set(paths)):
        if _VERSION_SUFFIX.sub("", path) in stems:
            report.earlier_versions.append(Finding(subject, path, "superseded version"))
        elif judge_extras and owed[0][1].workspace is not None:  # a shared folder holds
            # other subjects' documents too
            report.extra.append(Finding(subject, path, "no owed document has this name"))


def recorded(ledger: Ledger, record_keys: list[str]) -> list[dict[str, str]]:
    """What the pipeline recorded of each record: its ledger entry, or, once the ledger let
    a declared record go (`BCRM_LEDGER_RETAIN_DAYS`), its archive index row."""
    records = ledger.get_many(record_keys)
    index = None
    for record_key, record in zip(record_keys, records, strict=True):
        if record:
            continue
        index = index or services.archive_index()
        row = index.record(record_key)
        if row is not None:
            record.update(state="declared", target_id=str(row.ecm_node_id), sha256=row.sha256)
    return records


def owed_by(source: FetchedSource, loaded: Any) -> list[tuple[DocumentSpec, Placement]]:
    """Every document the flows consuming `source` owe from it, with its placement."""
    classes = default_plan().classes
    owed = []
    for flow in registry.consumers(source.name):
        for spec in flow.documents_owed(loaded):
            owed.append((spec, flow.placement(loaded, spec, classes[spec.kind].folder)))
    return owed


def _kept_by_container(
    store_hash: str,
) -> dict[tuple[str, tuple[str, str]], list[tuple[DocumentSpec, Placement]]]:
    """What every flow keeps owing for what it saw once, per flow and container."""
    kept: dict[tuple[str, tuple[str, str]], list[tuple[DocumentSpec, Placement]]] = {}
    for flow in registry.flows().values():
        for spec, placement in flow.documents_kept(store_hash):
            kept.setdefault((flow.name, _container(placement)), []).append((spec, placement))
    return kept


def reconcile(
    otcs_client: OTCSClient,
    ledger: Ledger,
    store_hash: str,
    since: datetime,
    until: datetime,
    on_progress: Callable[[int, int], None] = lambda n, total: None,
) -> ReconcileReport:
    """Compare the subjects every fetched source changed in [since, until] with the ledger
    and the ECM."""
    report = ReconcileReport(store_hash, since.isoformat(), until.isoformat(), _now())
    kept = _kept_by_container(store_hash)
    kept_containers = {container for _, container in kept}
    for source in registry.fetched_sources().values():
        subjects = source.subjects_changed(store_hash, since, until)
        for done, subject_id in enumerate(subjects, start=1):
            report.subjects += 1
            subject = f"{source.name}:{subject_id}"
            try:
                owed = owed_by(source, source.read(store_hash, subject_id))
            except PermanentError as exc:  # one bad subject must not hide the rest
                detail = f"{type(exc).__name__}: {exc}"
                report.unreadable.append(Finding(subject, "", detail))
                continue
            report.due_documents += len(owed)
            judge_extras = bool(owed) and _container(owed[0][1]) not in kept_containers
            _check_subject(report, otcs_client, ledger, subject, owed, judge_extras=judge_extras)
            on_progress(done, len(subjects))
    for (flow_name, _), documents in kept.items():
        report.due_documents += len(documents)
        _check_subject(report, otcs_client, ledger, f"{flow_name}:kept", documents, kept=True)
    report.finished_at = _now()
    log_event(
        "reconcile.finished",
        logging.INFO if report.ok else logging.ERROR,
        store_hash=store_hash,
        subjects=report.subjects,
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


def repair(report: ReconcileReport) -> list[str]:
    """Re-enqueue a fresh fetch (event `reconcile:<time>`) for every subject with records
    missing, and return those subjects. Each missing record is reopened in the ledger
    first: its stored stage results would otherwise short-cut the new chain, and a record
    the ledger calls declared but the ECM lost would stay lost. A record a stage
    dead-lettered is left to `bcrm dlq replay`: it failed for a reason a person must see,
    and re-fetching would only file it again. Hash mismatches are left for a person too:
    a declared record is never overwritten."""
    ledger, audit = services.ledger(), services.audit()
    event_id = f"reconcile:{_now()}"
    lost = report.lost
    for record_key in (f.record_key for f in lost if f.record_key):
        previous = ledger.reopen(record_key)
        if previous is not None:
            audit.append("reconcile.reopened", record_key, previous_state=previous)
    subjects = sorted({finding.subject for finding in lost})
    sources = registry.fetched_sources()
    for subject in subjects:
        source, _, subject_id = subject.partition(":")
        sources[source].refetch(report.store_hash, subject_id, "reconcile", event_id)
    report.repaired_subjects = subjects
    log_event("reconcile.repaired", store_hash=report.store_hash, subjects=len(subjects))
    return subjects


def keep_report(client: redis.Redis, report: ReconcileReport) -> None:
    """The latest report per store, and a capped history, for operators and alerting."""
    reports.keep(client, "reconcile", report.store_hash, report.to_json())
