"""What a case file is in the ECM besides its documents: its workspace related to each
order's workspace, cross-references to its orders' records (linked, not copied), and its
legal hold on the workspace (inherited by the case's own records) and on every record of
its orders. Every step is idempotent; it runs whenever a new summary or the closure is
declared, so what the summary's manifest lists is what the ECM holds. The relations and
cross-references already there are read once and only the missing ones written, rather
than writing all again and having the server refuse each one it holds (400).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core.contract import Workspace
from pipeline.flows.commerce.order_records import ORDER_WORKSPACE
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.records.containers import ContainerIds, existing_workspace
from pipeline.records.declare import apply_holds
from pipeline.runtime import services
from pipeline.runtime.log import log_event
from schemas.case_file import HOLD_NONE, CaseFile

CASE_WORKSPACE = "CASE"
CASE_CONTAINS = "CASE_CONTAINS"
# The order's workspace is the case's parent: a case is about its orders.
ORDER_RELATION = "parent"


def business_object(store_hash: str, subject_id: str | int) -> str:
    """The business object id of a store's order or case workspace: `<store>-<id>`."""
    return f"{store_hash}-{subject_id}"


def case_workspace(case: CaseFile) -> Workspace:
    """One Customer Case workspace per store and case."""
    bo_id = business_object(case.store_hash, case.case_id)
    return Workspace(CASE_WORKSPACE, bo_id, f"Case {bo_id}")


def settle(otcs: OTCSClient, ids: ContainerIds, case: CaseFile, workspace_id: int) -> None:
    """Relations, cross-references and the hold, as the case file says they are."""
    related = set(otcs.related_workspaces(workspace_id))
    for order_id in case.archived_orders:
        order_workspace_id = existing_workspace(
            otcs, ids, ORDER_WORKSPACE, business_object(case.store_hash, order_id)
        )
        if order_workspace_id is not None and (order_workspace_id, ORDER_RELATION) not in related:
            otcs.relate_workspaces(workspace_id, order_workspace_id, ORDER_RELATION)
    linked = sorted({m.node_id for m in case.manifest if not m.in_file})
    present = {
        x.target_id for x in otcs.cross_references(workspace_id) if x.xref_type == CASE_CONTAINS
    }
    for node_id in linked:
        if node_id not in present:
            otcs.add_cross_reference(workspace_id, node_id, CASE_CONTAINS)
    if case.hold_state != HOLD_NONE:
        hold(otcs, case.hold_name, [workspace_id, *linked])
    log_event(
        "case.settled",
        store=case.store_hash,
        case=case.case_id,
        workspace=workspace_id,
        linked=len(linked),
        hold=case.hold_state,
    )


def hold(otcs: OTCSClient, hold_name: str, node_ids: list[int]) -> None:
    """Put the case's hold on the nodes while the archive index has it open, else take it
    off: the index, not the case file, which may be stale (a summary of the open case
    declared late, after the closure released the hold, must not put it back). Asked
    again after applying, so a release written meanwhile is not undone (as declare does
    for a record's subject holds)."""
    holds = services.archive_index().holds
    if holds.is_open(hold_name):
        for node_id in node_ids:
            apply_holds(otcs, node_id, [hold_name])
        if holds.is_open(hold_name):
            return
    release(otcs, hold_name, node_ids)


def release(otcs: OTCSClient, hold_name: str, node_ids: Iterable[int]) -> None:
    """Take the case's hold off the nodes that carry it directly; any other hold on them
    stays."""
    hold = otcs.find_hold(hold_name)
    if hold is None:
        return
    for node_id in node_ids:
        if any(h.hold_id == hold.id and h.direct for h in otcs.node_holds(node_id)):
            otcs.remove_hold(node_id, hold.id)
