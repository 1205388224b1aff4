"""The producer of flow 3: beat asks the ECM which change requests of a store are approved
and effective now, and owes one publish unit for each (`canvas.send_owed`: the ledger
knows the unit before its message exists). An approval that has expired is handed over
too: the publish stage refuses it with a record, which is how it stops being "approved".
A unit is keyed by the change request, so a poll that sees it again while it is in
flight owes the same unit, and the stage runs once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.core import keys
from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.core.redis_values import text
from pipeline.flows.approvals import change_requests
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import redis_client

PUBLISH_TASK = "bcrm.publish.change"
FLOW = "approvals"
# Statuses a change request never leaves (`bcrm changes decide` refuses a second decision,
# and the publish stage ends at `published` or `refused`).
SETTLED = frozenset({"published", "refused", "rejected", "cancelled"})


def publish_key(store_hash: str, change_id: str) -> str:
    return f"{store_hash}:change_request:{change_id}:publish"


def publish_unit(store_hash: str, change_id: str) -> OwedUnit:
    key = publish_key(store_hash, change_id)
    ref = {"record_key": key, "flow": FLOW, "store_hash": store_hash, "change_request": change_id}
    return OwedUnit(key, FLOW, PUBLISH_TASK, [ref])


def _effective(value: str, now: datetime) -> bool:
    if not value:
        return True
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= now


def approved_requests(otcs: OTCSClient, store_hash: str, now: datetime) -> list[str]:
    """Ids of the store's change requests whose status is `approved` and that are
    effective at `now`. The listing has no category values, so each request's status is
    one read (a Content Server round trip): a request seen in a status it never leaves
    is remembered in Redis and not read again, so a poll costs the open requests, not
    every request ever filed (`bcrm bench publish`: with 50 filed, each poll read all 50
    and took 8 s of the 9 s from approval to publish at 150 ms a call)."""
    client = redis_client()
    settled_key = keys.change_requests_settled(store_hash)
    settled = {text(member) for member in client.smembers(settled_key)}
    prefix = change_requests.workspace_name(f"{store_hash}-CR-")
    due, now_settled = [], []
    for node in otcs.workspaces(change_requests.EXT_SYSTEM, change_requests.BO_TYPE):
        change_id = node.name.removeprefix(change_requests.workspace_name(""))
        if not node.name.startswith(prefix) or change_id in settled:
            continue
        facts = change_requests.facts_of(otcs, node.id)
        if facts["Status"] in SETTLED:
            now_settled.append(change_id)
        elif facts["Status"] == "approved" and _effective(facts["Effective From"], now):
            due.append(facts["Change Request ID"])
    if now_settled:
        client.sadd(settled_key, *now_settled)
    return due


def poll_change_requests(otcs: OTCSClient, store_hash: str) -> int:
    """Owe a publish for every approved, effective change request; how many."""
    due = approved_requests(otcs, store_hash, datetime.now(UTC))
    send_owed([publish_unit(store_hash, change_id) for change_id in due])
    return len(due)
