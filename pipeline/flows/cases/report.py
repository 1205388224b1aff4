"""What `bcrm cases show` reports of a case file: the case, its documents and its orders'
linked records with ECM node ids, hashes and the holds on each (read from the ECM, best
effort: an unreachable ECM is said, not hidden)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.flows.cases.documents import CASE
from pipeline.index.cases import ORDER_SUBJECT, CaseState
from pipeline.index.records import ArchiveIndex, row_to_json
from pipeline.index.trail import hold_view
from pipeline.integrations.otcs.client import OTCSClient


def case_summary(state: CaseState) -> dict[str, Any]:
    """The case's facts, without its thread's text (`show` counts messages)."""
    return {
        "store_hash": state.store_hash,
        "case_id": state.case_id,
        "origin": state.origin,
        "reason": state.reason,
        "subject": state.subject,
        "status": state.status,
        "opened_at": state.opened_at.isoformat(),
        "closed_at": state.closed_at.isoformat() if state.closed_at else None,
        "orders": list(state.order_ids),
        "hold": state.hold_name if state.hold else None,
        "hold_released": state.hold_released,
        "messages": len(state.messages),
        "attachments": [
            {"number": n, "name": a.name, "content_type": a.content_type, "size": a.size}
            for n, a in state.attachments
        ],
    }


def case_report(
    state: CaseState, index: ArchiveIndex, otcs: Callable[[], OTCSClient] | None
) -> dict[str, Any]:
    in_file = index.records_of_subject(state.store_hash, CASE, state.case_id)
    linked = [
        row
        for order_id in state.order_ids
        for row in index.records_of_subject(state.store_hash, ORDER_SUBJECT, str(order_id))
    ]
    records = [{**row_to_json(r), "in_file": True} for r in in_file]
    records += [{**row_to_json(r), "in_file": False} for r in linked]
    report: dict[str, Any] = {**case_summary(state), "records": records, "ecm": None}
    if otcs is None:
        report["ecm"] = "the ECM is not configured (BCRM_OTCS_URL): holds not read"
        return report
    try:
        client = otcs()
        for record in records:
            record["holds"] = hold_view(client, int(record["ecm_node_id"]))
    except Exception as exc:  # any failure to read is shown, never hides the rest
        report["ecm"] = f"ECM not reachable: {type(exc).__name__}: {exc}"
    return report
