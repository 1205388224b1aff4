"""The case files (flow 2) against the ECM emulator's inventory: the check that ends
`bcrm demo` and `bcrm chaos cases`, beside the records inventory (which already finds
every document a case owes present exactly once).

What the records inventory cannot see is what a case file adds around its documents, so
this asks it of every case in the archive index: each attachment filed once (the
inventory owes one only until it is filed); one Customer Case workspace, related
once to the workspace of each of its archived orders; one `CASE_CONTAINS` cross-reference
to every record of its orders (linked, not copied), each once; and its legal hold. A hold
in force is one hold of its name, directly on the workspace (so inherited by the case's
own records) and directly on every record of its orders, exactly once each; a released
hold, or a case that never asked for one, is on no node at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from pipeline.core.contract import Subject
from pipeline.core.names import version_prefix
from pipeline.devtools.inventory import DOCUMENT_TYPE, WORKSPACE_TYPE
from pipeline.flows.cases.documents import CASE, CASE_ATTACHMENT, attachment_part
from pipeline.flows.cases.ecm import CASE_CONTAINS, CASE_WORKSPACE, business_object
from pipeline.flows.commerce.order_records import ORDER_WORKSPACE
from pipeline.index.cases import ORDER_SUBJECT, CaseState
from pipeline.index.records import ArchiveIndex
from pipeline.records.declare import SUPERSEDES
from pipeline.runtime import services
from schemas.case_file import Attachment

DIRECT = "Direct"


@dataclass
class CaseFileFigures:
    """One case file as the ECM holds it."""

    case_id: str
    origin: str
    reason: str
    status: str
    orders: list[int]
    records: int
    linked_records: int
    hold: str | None
    hold_state: str


@dataclass
class CaseFilesCheck:
    """Every case file of a store: what the ECM holds and what is wrong with it."""

    cases: int = 0
    # Documents in the case workspaces, and those of them a newer version supersedes.
    records: int = 0
    earlier_versions: int = 0
    linked_records: int = 0
    # Case holds in force, and released ones (on no node any more).
    holds_applied: int = 0
    holds_released: int = 0
    # Records under a case hold: the held orders' records (direct) and the held cases'
    # own records (inherited from their workspace), each counted once.
    records_on_hold: int = 0
    case_files: list[CaseFileFigures] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        figures = asdict(self)
        figures.pop("problems")
        return figures


class _Inventory:
    """The emulator's inventory, indexed the ways the check asks it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.nodes: list[dict[str, Any]] = raw["nodes"]
        self.by_id = {int(n["id"]): n for n in self.nodes}
        self.hold_names = Counter(str(h["HoldName"]) for h in raw["holds"])
        self._workspaces: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for node in self.nodes:
            link = node.get("workspace") or {}
            if node["type"] == WORKSPACE_TYPE and link.get("bo_id"):
                self._workspaces.setdefault((link["bo_type"], link["bo_id"]), []).append(node)

    def workspaces(self, bo_type: str, bo_id: str) -> list[dict[str, Any]]:
        return self._workspaces.get((bo_type, bo_id), [])

    def documents_in(self, workspace: dict[str, Any]) -> list[dict[str, Any]]:
        inside = workspace["path"] + "/"
        return [
            n for n in self.nodes if n["type"] == DOCUMENT_TYPE and n["path"].startswith(inside)
        ]


def _holds_named(node: dict[str, Any], name: str) -> list[str]:
    """How the node carries the hold: one `Direct` or `Inherited` per carrying."""
    return [h["hold_appliedmethod"] for h in node["holds"] if h["hold_name"] == name]


def _check_hold(
    case: CaseState,
    inventory: _Inventory,
    workspace: dict[str, Any],
    own: list[dict[str, Any]],
    linked: list[dict[str, Any]],
) -> list[str]:
    name = case.hold_name
    where = f"case {case.case_id}"
    if not case.hold_active:
        carrying = [n for n in inventory.nodes if _holds_named(n, name)]
        return [f"{where}: hold {name} left on node {n['id']} {n['name']}" for n in carrying]
    problems = []
    if inventory.hold_names[name] != 1:
        problems.append(f"{where}: {inventory.hold_names[name]} holds named {name}, not 1")
    expected = [(workspace, DIRECT), *((n, DIRECT) for n in linked)]
    expected += [(n, "Inherited") for n in own]
    for node, how in expected:
        if _holds_named(node, name) != [how]:
            problems.append(
                f"{where}: node {node['id']} {node['name']} carries hold {name} as "
                f"{_holds_named(node, name) or 'nothing'}, not once {how.lower()}"
            )
    return problems


def _attachment_problems(case: CaseState, own: list[dict[str, Any]]) -> list[str]:
    """Each attachment filed once (the records inventory stops owing one once it is in
    the file, since its staged bytes expire)."""
    problems = []
    for number, ref in case.attachments:
        part = attachment_part(Attachment(number, ref))
        prefix = version_prefix(CASE_ATTACHMENT, Subject(CASE, case.case_id), part)
        filed = sum(n["name"].startswith(prefix) for n in own)
        if filed != 1:
            problems.append(f"case {case.case_id}: attachment {number} filed {filed} times")
    return problems


def _earlier_versions(own: list[dict[str, Any]]) -> int:
    ids = {int(n["id"]) for n in own}
    superseded = {x["xref_id"] for n in own for x in n["xrefs"] if x["xref_type"] == SUPERSEDES}
    return len(ids & superseded)


def _check_case(
    case: CaseState, index: ArchiveIndex, inventory: _Inventory, check: CaseFilesCheck
) -> set[int]:
    """Check one case file into `check`; the ids of the records its hold covers."""
    where = f"case {case.case_id}"
    found = inventory.workspaces(CASE_WORKSPACE, business_object(case.store_hash, case.case_id))
    if len(found) != 1:
        check.problems.append(f"{where}: {len(found)} workspaces, not 1")
        return set()
    workspace = found[0]
    own = inventory.documents_in(workspace)
    records = {
        order_id: index.records_of_subject(case.store_hash, ORDER_SUBJECT, str(order_id))
        for order_id in case.order_ids
    }
    expected_links = Counter(r.ecm_node_id for rows in records.values() for r in rows)
    links = Counter(x["xref_id"] for x in workspace["xrefs"] if x["xref_type"] == CASE_CONTAINS)
    if links != expected_links:
        missing = sorted(set(expected_links) - set(links))
        extra = sorted(set(links) - set(expected_links))
        twice = sorted(node for node, n in links.items() if n > 1)
        check.problems.append(
            f"{where}: links to its orders' records missing {missing}, extra {extra}, twice {twice}"
        )
    related = Counter(r["rel_bw_id"] for r in workspace["related_workspaces"])
    expected_related = Counter(
        n["id"]
        for order_id, rows in records.items()
        if rows
        for n in inventory.workspaces(ORDER_WORKSPACE, business_object(case.store_hash, order_id))
    )
    if related != expected_related:
        check.problems.append(
            f"{where}: related to workspaces {dict(related)}, not {dict(expected_related)}"
        )
    linked = [inventory.by_id[node_id] for node_id in expected_links if node_id in inventory.by_id]
    check.problems += _check_hold(case, inventory, workspace, own, linked)
    check.problems += _attachment_problems(case, own)
    check.records += len(own)
    check.earlier_versions += _earlier_versions(own)
    check.linked_records += sum(links.values())
    check.holds_applied += case.hold_active
    check.holds_released += case.hold and case.hold_released
    check.case_files.append(
        CaseFileFigures(
            case_id=case.case_id,
            origin=case.origin,
            reason=case.reason,
            status=case.status,
            orders=list(case.order_ids),
            records=len(own),
            linked_records=sum(links.values()),
            hold=case.hold_name if case.hold else None,
            hold_state="in force" if case.hold_active else "released" if case.hold else "none",
        )
    )
    if not case.hold_active:
        return set()
    return {int(n["id"]) for n in [*own, *linked]}


def check_case_files(otcs_admin_url: str, store_hash: str) -> CaseFilesCheck:
    """Every case of the store in the archive index against what the ECM holds."""
    inventory = _Inventory(requests.get(otcs_admin_url + "/inventory", timeout=120).json())
    index = services.archive_index()
    cases = index.cases.cases(store_hash=store_hash)
    check = CaseFilesCheck(cases=len(cases))
    held: set[int] = set()
    for case in cases:
        held |= _check_case(case, index, inventory, check)
    check.records_on_hold = len(held)
    return check
