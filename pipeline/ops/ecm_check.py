"""`bcrm ecm check`: does this Content Server hold everything bcrm will ask of it?

Declare finds its category, workspace types, file plan, RSIs, folders and link types by
name, and a missing one surfaces only as a dead letter of the first record that needs
it. This check asks for all of them up front, through the same REST client and
settings the pipeline uses, for the file plan (`retention.toml`) and the flows this
deployment runs (`BCRM_FLOWS`), and reports one finding per thing checked.

Only reads: nothing is created, so it is safe to run against production at any time.
A server it cannot reach or whose login fails raises (the command's exit 2); anything
the server answers but lacks is a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline.core.contract import Flow
from pipeline.integrations.otcs.access import Member
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import NotConfigured, OTCSRefused
from pipeline.records.containers import EXTERNAL_SYSTEM
from pipeline.records.needs import ecm_needs
from schemas.retention import DEFAULT_JURISDICTION, RetentionPlan

Status = Literal["ok", "missing", "wrong"]

# Effective permissions the account needs where it creates things: seeing the container
# and what is in it, adding items (folders, documents, workspaces) and giving them their
# category values. It never needs to add versions or delete: records are never changed.
FILING_PERMISSIONS = ("see", "see_contents", "add_items", "edit_attributes")


@dataclass(frozen=True)
class Finding:
    """One thing checked: what it is, and whether the server has it as bcrm needs it."""

    status: Status
    what: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        return f"{self.status:<7} {self.what}: {self.detail}"


def _ok(what: str, detail: str) -> Finding:
    return Finding("ok", what, detail)


def _users(names: Iterable[str]) -> str:
    return "needed by " + ", ".join(sorted(names))


def _account(otcs: OTCSClient) -> tuple[Member, Finding]:
    member = otcs.current_member()
    return member, _ok(f"account {otcs.username!r}", f"logs in as user id {member.id}")


def _same_type(server: str | None, wanted: str) -> bool:
    """Type names compared loosely: the spelling a server's form uses is unconfirmed."""
    spelled = {"text": "string"}.get((server or "").casefold(), (server or "").casefold())
    return not server or spelled == wanted.casefold()


def category_findings(
    otcs: OTCSClient, name: str, attributes: Mapping[str, str]
) -> Iterator[Finding]:
    """The file plan's category and every attribute bcrm writes into it, by name and type."""
    try:
        category = otcs.category(name)
    except NotConfigured:
        volume = otcs.categories_volume_id
        yield Finding("missing", f"category {name!r}", f"not in the Categories volume {volume}")
        return
    yield _ok(f"category {name!r}", f"node {category.id}")
    for attribute, wanted in sorted(attributes.items()):
        what = f"attribute {attribute!r} of {name!r}"
        server = category.types.get(attribute)
        if attribute not in category.keys:
            yield Finding("missing", what, f"bcrm writes it as {wanted}")
        elif not _same_type(server, wanted):
            yield Finding("wrong", what, f"is {server}, bcrm writes {wanted}")
        else:
            yield _ok(what, f"{category.keys[attribute]} ({server or wanted})")


def _child_path(otcs: OTCSClient, root_id: int, path: str) -> tuple[Node | None, str]:
    """The node at `path` below `root_id`, else None and the part of the path that exists."""
    node: Node | None = None
    found: list[str] = []
    for step in (part for part in path.split("/") if part):
        node = otcs.find_child(node.id if node else root_id, step)
        if node is None:
            return None, "/".join(found)
        found.append(step)
    return node, path


def file_plan_findings(otcs: OTCSClient, plan: RetentionPlan) -> Iterator[Finding]:
    """Every class's RM classification, and its RSI with one variant per jurisdiction
    whose period the file plan overrides (`{rsi}-{CC}`, `RecordClassRule.rsi_for`)."""
    volume = otcs.file_plan_id()
    for kind, rule in sorted(plan.classes.items()):
        what = f"classification {rule.classification!r}"
        node, found = _child_path(otcs, volume, rule.classification)
        if node is None:
            missing = rule.classification.removeprefix(found).strip("/")
            where = f"under {found!r}" if found else f"in the file plan (node {volume})"
            yield Finding("missing", what, f"no {missing!r} {where}; {_users([kind])}")
        else:
            yield _ok(what, f"node {node.id}")
    codes = otcs.rsi_codes()
    wanted: dict[str, set[str]] = {}
    for kind, rule in plan.classes.items():
        for jurisdiction in rule.retention_years:
            label = kind if jurisdiction == DEFAULT_JURISDICTION else f"{kind} in {jurisdiction}"
            wanted.setdefault(rule.rsi_for(jurisdiction), set()).add(label)
    for code, kinds in sorted(wanted.items()):
        if code in codes:
            yield _ok(f"RSI {code}", "present")
        else:
            yield Finding("missing", f"RSI {code}", _users(kinds))


def _permission_findings(
    otcs: OTCSClient, member: Member, node: Node, label: str
) -> Iterator[Finding]:
    what = f"permissions of {otcs.username!r} on {label} (node {node.id})"
    held = otcs.effective_permissions(node.id, member.id)
    lacking = [name for name in FILING_PERMISSIONS if name not in held]
    if lacking:
        yield Finding("missing", what, "lacks " + ", ".join(lacking))
    else:
        yield _ok(what, ", ".join(FILING_PERMISSIONS))
    what = f"records management on {label} (node {node.id})"
    if otcs.records_rights(node.id).can_classify:
        yield _ok(what, f"{otcs.username!r} may classify items")
    else:
        yield Finding("missing", what, f"{otcs.username!r} may not RM-classify items there")


def workspace_findings(
    otcs: OTCSClient, member: Member, types: Mapping[str, set[str]]
) -> Iterator[Finding]:
    """Each workspace type (business object type) with its template, creation location
    and the account's rights there."""
    for bo_type, flows in sorted(types.items()):
        what = f"workspace type {EXTERNAL_SYSTEM}/{bo_type}"
        try:
            wtype = otcs.workspace_type(EXTERNAL_SYSTEM, bo_type)
        except NotConfigured:
            yield Finding("missing", what, _users(flows))
            continue
        if wtype.template_id is None or wtype.location_id is None:
            lacks = "template" if wtype.template_id is None else "creation location"
            yield Finding("wrong", what, f"{wtype.name!r} (id {wtype.id}) has no {lacks}")
            continue
        yield _ok(what, f"{wtype.name!r} (id {wtype.id}), template {wtype.template_id}")
        location = otcs.node(wtype.location_id)
        yield from _permission_findings(otcs, member, location, f"{location.name!r}")


def folder_findings(
    otcs: OTCSClient, member: Member, root_id: int, paths: Mapping[str, set[str]]
) -> Iterator[Finding]:
    """The folders below the ECM's root that placements file into (`Placement.root_path`):
    bcrm never creates them (a records manager's decision), so they must exist."""
    for path, flows in sorted(paths.items()):
        what = f"folder {path!r}"
        node, found = _child_path(otcs, root_id, path)
        if node is None:
            where = f"{found!r}" if found else f"node {root_id} (BCRM_OTCS_ROOT_ID)"
            yield Finding("missing", what, f"not under {where}; {_users(flows)}")
        elif not node.is_container:
            yield Finding("wrong", what, f"node {node.id} is not a container")
        else:
            yield _ok(what, f"node {node.id}")
            yield from _permission_findings(otcs, member, node, f"{path!r}")


def xref_findings(otcs: OTCSClient, xref_types: Iterable[str]) -> Iterator[Finding]:
    defined = otcs.xref_types()
    for xref_type in sorted(xref_types):
        what = f"cross-reference type {xref_type}"
        if xref_type in defined:
            yield _ok(what, "present")
        else:
            yield Finding("missing", what, "not among the server's cross-reference types")


def _needed_by(flows: Mapping[str, Flow], plan: RetentionPlan, part: str) -> dict[str, set[str]]:
    """Per workspace type or root path (`part` of `EcmNeeds`), the flows that need it."""
    users: dict[str, set[str]] = {}
    for name, flow in flows.items():
        for item in getattr(flow.ecm_needs(plan), part):
            users.setdefault(item, set()).add(name)
    return users


def _guarded(what: str, findings: Iterable[Finding]) -> list[Finding]:
    """The findings of one part; a refusal or an absence (not an outage) that stops the
    part, such as a server without Records Management, ends it as a finding."""
    done: list[Finding] = []
    try:
        done.extend(findings)
    except OTCSRefused as error:
        done.append(Finding("wrong", what, f"the server refused: {error}"))
    except NotConfigured as error:
        done.append(Finding("missing", what, str(error)))
    return done


def check_ecm(
    otcs: OTCSClient, plan: RetentionPlan, flows: Mapping[str, Flow], root_id: int
) -> list[Finding]:
    """Every finding, in a stable order. Raises AuthenticationFailed or OTCSUnavailable
    (and TicketRejected) when there is no server to check."""
    member, account = _account(otcs)
    needs = ecm_needs(flows.values(), plan)
    workspace_types = _needed_by(flows, plan, "workspace_types")
    root_paths = _needed_by(flows, plan, "root_paths")
    return [
        account,
        *_guarded("category", category_findings(otcs, plan.category, needs.attributes)),
        *_guarded("workspace types", workspace_findings(otcs, member, workspace_types)),
        *_guarded("file plan", file_plan_findings(otcs, plan)),
        *_guarded("folders", folder_findings(otcs, member, root_id, root_paths)),
        *_guarded("cross-reference types", xref_findings(otcs, needs.xref_types)),
    ]
