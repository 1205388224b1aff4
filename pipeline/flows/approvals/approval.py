"""Whether a change request's approval stands, from the ECM's own records, not free text.

The requester is whoever created the change request's workspace, the approver whoever
made the last category change on it: both read from the node's audit trail
(`GET /v2/nodes/{id}/audit`: event 1 Create, event 10 Attribute Value Changed; pyxecm
`get_node_audit`). The approver must differ from the requester (NIST SP 800-53 AC-5,
separation of duties), belong to the change type's approver group (`GET
/v2/members/{group}/members?where_type=0`, pyxecm `get_group_members`), and be the one the
category names as "Decided By". A category change after the decision by someone else
(the payload or its hash edited after approval) makes that person the last editor, which
then fails one of these checks. The service account's own status writes come after
publishing and are not looked at here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CREATE = 1
ATTRIBUTE_VALUE_CHANGED = 10


@dataclass(frozen=True)
class Trail:
    """Who created the change request, and who changed its categories, oldest first."""

    requester: int
    editors: tuple[int, ...]


def trail_of(audit: Iterable[dict[str, Any]], service_user: int) -> Trail:
    """The audit entries, oldest first (`sort=asc_audit_date`: the server orders entries
    of the same second, which the dates alone cannot), as a `Trail`; the service account's
    writes are left out of the editors (its status updates follow the decision)."""
    ordered = list(audit)
    creators = [int(e["user_id"]) for e in ordered if int(e["event_type"]) == CREATE]
    if not creators:
        raise ValueError("the change request's audit trail has no creation")
    editors = tuple(
        int(e["user_id"])
        for e in ordered
        if int(e["event_type"]) == ATTRIBUTE_VALUE_CHANGED and int(e["user_id"]) != service_user
    )
    return Trail(creators[0], editors)


def refusal(
    trail: Trail, decided_by: int | None, decision: str, approvers: frozenset[int]
) -> str | None:
    """Why the approval does not stand (None: it does)."""
    if decision != "approved":
        return f"not approved (decision {decision or 'none'})"
    if not trail.editors:
        return "no decision in the audit trail"
    approver = trail.editors[-1]
    if approver == trail.requester:
        return "separation of duties: decided by the requester"
    if approver not in approvers:
        return f"user {approver} who set the decision is not in the approver group"
    if decided_by != approver:
        return f"decided-by {decided_by} is not the user {approver} the audit trail names"
    return None
