"""Change requests in the ECM: filed by a maker, decided by an approver, read by the
publish stage and marked by it, all through the Content Server REST API.

A change request is a "Change Request" business workspace (business object id
`<store>-CR-<n>`) holding one request document (`Request/<id>-request-<hash>.json`: the
typed change, the before-state read when requested, the reason) and the "Change Request"
category (type, target, the payload and before-state SHA-256, requested by, decision,
decided by, decided at, effective from, expires at, status and its reason). Who filed it
and who decided it are the audit trail's to say (`approval`); the category's "Requested
By" and "Decided By" are cross-checked against it, never trusted alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.core.errors import PermanentError
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.errors import NotConfigured
from pipeline.records.declare import versions

EXT_SYSTEM = "BigCommerce"
BO_TYPE = "CHANGE_REQUEST"
CATEGORY = "Change Request"
REQUEST_FOLDER = "Request"
RECEIPTS_FOLDER = "Publish Receipts"


class UnreadableRequest(PermanentError):
    """A change request the ECM holds in a shape bcrm cannot read (a person must look)."""


@dataclass(frozen=True)
class StoredRequest:
    """A change request as the ECM holds it: its workspace, the category's values by
    attribute name, and the change from its request document."""

    node_id: int
    facts: Mapping[str, str]
    change: ChangeRequest

    @property
    def status(self) -> str:
        return self.facts.get("Status", "")


def request_stem(change_id: str) -> str:
    return f"{change_id}-request"


def request_document_name(change: ChangeRequest) -> str:
    """`<id>-request-<payload hash>.json`, named like a declared record so a receipt's
    cross-reference finds it by its stem."""
    return f"{request_stem(change.id)}-{change.payload_sha256[:8]}.json"


def workspace_name(change_id: str) -> str:
    return f"Change Request {change_id}"


def current_user(otcs: OTCSClient) -> tuple[int, str]:
    """The id and login name of the account `otcs` is logged in as (`GET /v1/auth`)."""
    data = otcs.request("GET", "v1/auth")["data"]
    return int(data["id"]), str(data["name"])


def next_change_id(otcs: OTCSClient, store_hash: str) -> str:
    """`<store>-CR-<n>`, one above the store's highest so far (a race ends in the ECM's
    refusal of a second workspace for the same business object, and the maker retries)."""
    prefix = f"{store_hash}-CR-"
    numbers = [
        int(node.name.rsplit("-", 1)[1])
        for node in otcs.workspaces(EXT_SYSTEM, BO_TYPE)
        if node.name.startswith(workspace_name(prefix)) and node.name.rsplit("-", 1)[1].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _values(otcs: OTCSClient, by_name: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    definition = otcs.category(CATEGORY)
    return definition.id, definition.values(by_name)


def _request_facts(change: ChangeRequest, login: str, effective_from: str) -> dict[str, str]:
    return {
        "Change Request ID": change.id,
        "Change Type": change.change_type,
        "Target": change.target,
        "Payload SHA-256": change.payload_sha256,
        "Before SHA-256": change.before_sha256,
        "Requested By": login,
        "Effective From": effective_from,
        "Status": "requested",
    }


def _decision_facts(user_id: int, approve: bool, valid_days: int, note: str) -> dict[str, str]:
    now = datetime.now(UTC)
    decision = "approved" if approve else "rejected"
    return {
        "Decision": decision,
        "Decided By": str(user_id),
        "Decided At": now.isoformat(timespec="seconds"),
        "Expires At": (now + timedelta(days=valid_days)).isoformat(timespec="seconds"),
        "Status": decision,
        "Status Reason": note[:250],
    }


def _create(otcs: OTCSClient, change: ChangeRequest, facts: Mapping[str, str]) -> int:
    category_id, values = _values(otcs, facts)
    return otcs.create_workspace(
        EXT_SYSTEM, BO_TYPE, change.id, workspace_name(change.id), categories={category_id: values}
    )


def _file_document(otcs: OTCSClient, node_id: int, change: ChangeRequest) -> None:
    """The request document in the workspace's request folder, unless it is there."""
    folder = otcs.find_child(node_id, REQUEST_FOLDER)
    if folder is None:
        raise NotConfigured(f"the Change Request workspace template has no {REQUEST_FOLDER!r}")
    if versions(otcs, folder.id, request_stem(change.id) + "-"):
        return
    raw = json.dumps(change.to_json(), sort_keys=True, indent=2).encode()
    otcs.create_document(folder.id, request_document_name(change), raw, "application/json")


def file_request(otcs: OTCSClient, change: ChangeRequest, effective_from: str = "") -> int:
    """Create the change request's workspace with its category and request document, as
    the maker `otcs` is logged in as; the workspace's node id."""
    _, login = current_user(otcs)
    node_id = _create(otcs, change, _request_facts(change, login, effective_from))
    _file_document(otcs, node_id, change)
    return node_id


def file_system_request(otcs: OTCSClient, change: ChangeRequest, valid_days: int, note: str) -> int:
    """A change request bcrm files as its service account and approves by policy (a
    revert of an unapproved change), with its decision in the category it is created
    with; found again, and completed, when an earlier try filed part of it."""
    node = otcs.find_workspace(EXT_SYSTEM, BO_TYPE, change.id)
    if node is None:
        user_id, login = current_user(otcs)
        facts = {
            **_request_facts(change, login, ""),
            **_decision_facts(user_id, True, valid_days, note),
        }
        node_id = _create(otcs, change, facts)
    else:
        node_id = node.id
    _file_document(otcs, node_id, change)
    return node_id


def _workspace(otcs: OTCSClient, change_id: str) -> int:
    node = otcs.find_workspace(EXT_SYSTEM, BO_TYPE, change_id)
    if node is None:
        raise UnreadableRequest(f"no change request {change_id} in the ECM")
    return node.id


def facts_of(otcs: OTCSClient, node_id: int) -> dict[str, str]:
    definition = otcs.category(CATEGORY)
    values = otcs.get_category(node_id, definition.id).values
    return {name: str(values.get(key) or "") for name, key in definition.keys.items()}


def read_request(otcs: OTCSClient, change_id: str) -> StoredRequest:
    node_id = _workspace(otcs, change_id)
    folder = otcs.find_child(node_id, REQUEST_FOLDER)
    prefix = request_stem(change_id) + "-"
    found = [] if folder is None else versions(otcs, folder.id, prefix)
    document = found[0] if len(found) == 1 else None
    if document is None:
        raise UnreadableRequest(f"{change_id}: no request document")
    try:
        change = ChangeRequest.from_json(json.loads(otcs.download(document.id)))
    except (ValueError, KeyError, TypeError) as exc:
        raise UnreadableRequest(f"{change_id}: request document: {exc}") from exc
    return StoredRequest(node_id, facts_of(otcs, node_id), change)


def decide(
    otcs: OTCSClient, change_id: str, approve: bool, valid_days: int, note: str = ""
) -> None:
    """What an approver does in the ECM: set the decision (and a note), as themselves."""
    user_id, _ = current_user(otcs)
    category_id, values = _values(otcs, _decision_facts(user_id, approve, valid_days, note))
    otcs.update_category(_workspace(otcs, change_id), category_id, values)


def set_status(otcs: OTCSClient, node_id: int, status: str, reason: str = "") -> None:
    """The service account marks the request (`published`, `refused`, `cancelled`...)."""
    category_id, values = _values(otcs, {"Status": status, "Status Reason": reason[:250]})
    otcs.update_category(node_id, category_id, values)
