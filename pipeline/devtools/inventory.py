"""The ECM emulator's inventory against what the store owes: the exactly-once check that
ends `bcrm demo` and every `bcrm chaos` scenario.

It reads the emulator's admin inventory (every node, wherever it was filed), so it sees
what a REST walk of the workspaces cannot: a second workspace for one subject, a document
filed twice, a declared record that gained a version. What is owed is asked of every
fetched source again, for every flow that consumes it, plus what a flow owes for what it
saw once and the store can no longer show (`Flow.documents_kept`: disclosure versions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Placement
from pipeline.core.errors import PermanentError
from pipeline.core.names import fetch_prefix
from pipeline.ops.reconcile import owed_by, recorded
from pipeline.runtime import services

WORKSPACE_TYPE = 848
DOCUMENT_TYPE = 144
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class InventoryCheck:
    """Due documents by outcome. `lost` are neither in the ECM nor dead-lettered: the
    pipeline dropped them. A dead-lettered document waits for a person, with its reason."""

    orders: int = 0
    due: int = 0
    present_once: int = 0
    # Orders no document can be made from, refused at fetch: each is one dead letter
    # standing for documents nobody can count yet (so not in `due`).
    orders_refused: int = 0
    lost: list[str] = field(default_factory=list)
    dead_lettered: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    disagree: list[str] = field(default_factory=list)
    records_declared: int = 0
    earlier_versions: int = 0
    records_per_kind: dict[str, int] = field(default_factory=dict)
    records_per_flow: dict[str, int] = field(default_factory=dict)
    records_per_rsi: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [*self.lost, *self.duplicated, *self.disagree, *self.dead_lettered]


def _quiet(subjects_done: int) -> None:
    """No progress to show."""


@dataclass
class Owed:
    """What the store owes now: ECM name → spec of every owed document, where each is
    filed, and the subjects whose data no document can be made from (fetch refuses them
    too), by `<source>:<id>`."""

    documents: dict[str, DocumentSpec] = field(default_factory=dict)
    containers: set[str] = field(default_factory=set)
    # Subjects asked about, per source (`order`: the orders seen).
    subjects: Counter[str] = field(default_factory=Counter)
    unreadable: dict[str, str] = field(default_factory=dict)

    def add(self, documents: list[tuple[DocumentSpec, Placement]]) -> None:
        for spec, placement in documents:
            self.documents[names.ecm_name(spec)] = spec
            self.containers.add(_container_name(placement))


def owed_by_store(store_hash: str, on_subject: Callable[[int], None] = _quiet) -> Owed:
    """Everything every fetched source says the store owes, asked again of the source,
    and what every flow keeps owing for what it saw once (every disclosure version);
    `on_subject(n)` after each subject asked."""
    owed = Owed()
    for source in registry.fetched_sources().values():
        for subject_id in source.subjects_changed(store_hash, EPOCH, datetime.now(UTC)):
            owed.subjects[source.name] += 1
            on_subject(owed.subjects.total())
            try:
                documents = owed_by(source, source.read(store_hash, subject_id))
            except PermanentError as exc:
                owed.unreadable[f"{source.name}:{subject_id}"] = f"{type(exc).__name__}: {exc}"
                continue
            owed.add(documents)
    for flow in registry.flows().values():
        owed.add(flow.documents_kept(store_hash))
    return owed


def _container_name(placement: Placement) -> str:
    if placement.workspace is not None:
        return placement.workspace.name
    return "/".join((placement.root_path or "", *placement.folders[:-1]))


def _fetch_states(subject: str, store_hash: str) -> dict[str, set[str]]:
    """Ledger states of every fetch of the subject (one per event that triggered one)."""
    source, _, subject_id = subject.partition(":")
    return services.ledger().states_with_prefix(fetch_prefix(source, store_hash, subject_id))


def _in(path: str, containers: set[str]) -> bool:
    return any(f"/{name}/" in f"/{path}" for name in containers)


def check_inventory(
    otcs_admin_url: str, store_hash: str, on_subject: Callable[[int], None] = _quiet
) -> InventoryCheck:
    """Every owed document present exactly once, as a declared record with the ledger's
    node id and hash; nothing filed twice anywhere in the store's containers."""
    nodes = requests.get(otcs_admin_url + "/inventory", timeout=120).json()["nodes"]
    owed = owed_by_store(store_hash, on_subject)
    expected = owed.documents
    documents = [n for n in nodes if n["type"] == DOCUMENT_TYPE and _in(n["path"], owed.containers)]
    workspaces = [n for n in nodes if n["type"] == WORKSPACE_TYPE and n["name"] in owed.containers]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for node in documents:
        by_name.setdefault(node["name"], []).append(node)
    check = InventoryCheck(
        orders=owed.subjects["order"], due=len(expected), records_declared=len(documents)
    )
    for subject, reason in sorted(owed.unreadable.items()):
        refused = bool(_fetch_states(subject, store_hash).get("dead_lettered"))
        check.orders_refused += refused
        target = check.dead_lettered if refused else check.lost
        target.append(f"{subject}: no documents can be made ({reason})")
    check.duplicated = _filed_twice(by_name, workspaces)
    ledger = services.ledger()
    ecm_names = sorted(expected)
    records = recorded(ledger, [names.record_key(expected[name]) for name in ecm_names])
    for name, record in zip(ecm_names, records, strict=True):
        found = by_name.get(name, [])
        state = record.get("state", "absent")
        if not found:
            target = check.dead_lettered if state == "dead_lettered" else check.lost
            target.append(f"{name}: not in the ECM (ledger: {state})")
        elif state != "declared" or (record.get("sha256"), record.get("target_id")) != (
            found[0]["sha256"],
            str(found[0]["id"]),
        ):
            held = ", ".join(f"node {n['id']} in {n['path'].rsplit('/', 1)[0]}" for n in found)
            check.disagree.append(
                f"{name}: ledger ({state}, node {record.get('target_id', '-')}, sha256 "
                f"{str(record.get('sha256', '-'))[:12]}) and ECM ({held}, sha256 "
                f"{str(found[0]['sha256'])[:12]}) disagree"
            )
        elif len(found) == 1:
            check.present_once += 1
    check.earlier_versions = len(set(by_name) - set(expected))
    kinds = Counter(spec.kind for name, spec in expected.items() if name in by_name)
    flows = Counter(spec.flow for name, spec in expected.items() if name in by_name)
    rsis = Counter((n.get("classification") or {}).get("rsi", "none") for n in documents)
    check.records_per_kind = dict(sorted(kinds.items()))
    check.records_per_flow = dict(sorted(flows.items()))
    check.records_per_rsi = dict(sorted(rsis.items()))
    return check


def _filed_twice(
    by_name: dict[str, list[dict[str, Any]]], workspaces: list[dict[str, Any]]
) -> list[str]:
    """A name filed more than once, a document with a second version, a second workspace
    for one order: each is a record the pipeline made twice."""
    found = [
        f"{name}: present {len(nodes)} times" for name, nodes in by_name.items() if len(nodes) > 1
    ]
    for nodes in by_name.values():
        found += [
            f"{n['path']}: {len(n['versions'])} versions" for n in nodes if len(n["versions"]) > 1
        ]
    counts = Counter(w["name"] for w in workspaces)
    return found + [
        f"workspace {name}: {count} times" for name, count in counts.items() if count > 1
    ]
