"""A recall in the ECM: a "Recall" business workspace (business object type RECALL, id
`<store>-RCL-<id>`, the OTCS emulator's type 505) with the "Recall" category, which is the
system of record for the recall's facts and decision.

The category holds the recall id, the identifiers (SKUs, GTINs/UPCs, MPNs, lots), the sold
window, hazard, remedy, severity, the decision (`open` → `closed`), who decided and when,
when it was closed and when its holds were released. Who opened it and who decided it are
the audit trail's to say (`GET /v2/nodes/{id}/audit`, as flow 3 reads a change request's
approver, `pipeline.flows.approvals.approval`): the category's "Decided By" is believed only
when it names a person (not bcrm's service account) who changed the category themselves,
and that person is not the one who created the workspace (separation of duties).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from pipeline.core.contract import Workspace
from pipeline.flows.approvals.approval_check import audit_trail
from pipeline.flows.approvals.change_requests import current_user
from pipeline.index.recalls import CLOSED, OPEN, Identifiers, Recall
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.envelopes import Node

EXT_SYSTEM = "BigCommerce"
BO_TYPE = "RECALL"
CATEGORY = "Recall"
ID_MARK = "-RCL-"
# Content Server's text attributes hold 254 characters; longer text is in the notice.
TEXT_LIMIT = 250
MULTI_VALUED = {
    "skus": "Affected SKUs",
    "gtins": "GTINs",
    "mpns": "MPNs",
    "lots": "Lots",
}


def business_object(store_hash: str, recall_id: str) -> str:
    return f"{store_hash}{ID_MARK}{recall_id}"


def workspace_name(bo_id: str) -> str:
    return f"Recall {bo_id}"


def workspace(store_hash: str, recall_id: str) -> Workspace:
    bo_id = business_object(store_hash, recall_id)
    return Workspace(BO_TYPE, bo_id, workspace_name(bo_id))


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def _parse_moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day_start(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.combine(date.fromisoformat(str(value)[:10]), time.min, UTC)


def _day_end(value: Any) -> datetime | None:
    start = _day_start(value)
    return None if start is None else start.replace(hour=23, minute=59, second=59)


def facts(recall: Recall) -> dict[str, Any]:
    """The category's values for a recall (what `bcrm recalls open` files)."""
    ids = recall.identifiers.as_json()
    return {
        "Recall ID": recall.recall_id,
        **{name: ids[field] for field, name in MULTI_VALUED.items()},
        "Sold From": recall.sold_from.date().isoformat(),
        "Sold To": recall.sold_to.date().isoformat() if recall.sold_to else "",
        "Hazard": recall.hazard[:TEXT_LIMIT],
        "Remedy": recall.remedy[:TEXT_LIMIT],
        "Severity": recall.severity,
        "Decision": recall.decision,
        "Opened By": recall.opened_by,
    }


def file_recall(otcs: OTCSClient, recall: Recall) -> int:
    """Create the recall's workspace with its category, as the user `otcs` is logged in as
    (the audit trail names them as its opener); the workspace's node id."""
    definition = otcs.category(CATEGORY)
    bo_id = business_object(recall.store_hash, recall.recall_id)
    return otcs.create_workspace(
        EXT_SYSTEM,
        BO_TYPE,
        bo_id,
        workspace_name(bo_id),
        categories={definition.id: definition.values(facts(recall))},
    )


def update(otcs: OTCSClient, node_id: int, values: Mapping[str, str]) -> None:
    definition = otcs.category(CATEGORY)
    otcs.update_category(node_id, definition.id, definition.values(values))


def decide(otcs: OTCSClient, node_id: int) -> None:
    """What the person deciding the recall does in the ECM: sign it as themselves."""
    user_id, _ = current_user(otcs)
    now = datetime.now(UTC)
    update(otcs, node_id, {"Decided By": str(user_id), "Decided At": _moment(now)})


def close(otcs: OTCSClient, node_id: int, release_holds: bool, closed_at: datetime | None) -> None:
    """Close the recall (a second close keeps the first's time) and, when legal says so,
    release its holds."""
    now = _moment(datetime.now(UTC))
    values = {"Decision": CLOSED, "Closed At": _moment(closed_at) or now}
    update(otcs, node_id, {**values, "Holds Released At": now} if release_holds else values)


def category_values(otcs: OTCSClient, node_id: int) -> dict[str, Any]:
    definition = otcs.category(CATEGORY)
    values = otcs.get_category(node_id, definition.id).values
    return {name: values.get(key) for name, key in definition.keys.items()}


def _listed(value: Any) -> tuple[str, ...]:
    items: Sequence[Any] = value if isinstance(value, list) else [value]
    return tuple(str(item).strip() for item in items if item not in (None, ""))


def recall_ids(otcs: OTCSClient, store_hash: str) -> list[tuple[str, Node]]:
    """The store's recalls in the ECM, by the name their business object id gives them."""
    prefix = workspace_name(business_object(store_hash, ""))
    return [
        (node.name.removeprefix(prefix), node)
        for node in otcs.workspaces(EXT_SYSTEM, BO_TYPE)
        if node.name.startswith(prefix)
    ]


def _decider(otcs: OTCSClient, node_id: int, claimed: str, service_user: int) -> tuple[str, str]:
    """(opened by, decided by) from the audit trail: decided-by only when the user the
    category claims changed the category themselves and is not the opener. Not "the last
    editor" as for a change request: closing the recall edits the category after the
    decision (`service_user` 0: the caller cannot tell the fleet's account apart)."""
    trail = audit_trail(otcs, node_id, service_user)
    opener = str(trail.requester)
    editors = {str(editor) for editor in trail.editors}
    return opener, claimed if claimed in editors and claimed != opener else ""


def read_recall(otcs: OTCSClient, store_hash: str, node_id: int, service_user: int) -> Recall:
    """The recall as the ECM holds it now; ValueError when its category is unusable."""
    values = category_values(otcs, node_id)
    sold_from = _day_start(values.get("Sold From"))
    recall_id = str(values.get("Recall ID") or "")
    if sold_from is None or not recall_id:
        raise ValueError("the Recall category has no recall id or sold-from date")
    decided_by = str(values.get("Decided By") or "")
    opener, decided_by = _decider(otcs, node_id, decided_by, service_user)
    decision = str(values.get("Decision") or OPEN).lower()
    created = otcs.node(node_id).properties.get("create_date")
    return Recall(
        store_hash=store_hash,
        recall_id=recall_id,
        identifiers=Identifiers(*(_listed(values.get(name)) for name in MULTI_VALUED.values())),
        sold_from=sold_from,
        sold_to=_day_end(values.get("Sold To")),
        hazard=str(values.get("Hazard") or ""),
        remedy=str(values.get("Remedy") or ""),
        severity=str(values.get("Severity") or "") or "medium",
        decision=CLOSED if decision == CLOSED else OPEN,
        opened_by=opener,
        decided_by=decided_by or None,
        decided_at=_parse_moment(values.get("Decided At")) if decided_by else None,
        closed_at=_parse_moment(values.get("Closed At")),
        holds_released_at=_parse_moment(values.get("Holds Released At")),
        workspace_id=node_id,
        opened_at=_parse_moment(created),
    )


def next_recall_id(otcs: OTCSClient, store_hash: str) -> str:
    """One above the store's highest numbered recall (`RCL-<n>` in the business object id;
    a race ends in the ECM refusing a second workspace for the same id)."""
    numbers = [int(rid) for rid, _ in recall_ids(otcs, store_hash) if rid.isdigit()]
    return str(max(numbers, default=0) + 1)
