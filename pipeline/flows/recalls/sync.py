"""The ECM → archive index direction of flow 6: recalls people open, decide and close in
the ECM (or with `bcrm recalls`, which does the same through the REST API) are read from
their workspace's category and audit trail and saved in the index, and a fetch is owed
whenever what the index holds changed or a new week began while the recall is open (a
status report is owed per week).

Beat runs `poll` per store (`bcrm.control.poll_recalls`): one listing of the Recall
workspaces, then per recall not yet settled one category read and one audit-trail read.
A recall closed with its holds released is settled: it can change no more, is remembered
in Redis and not read again (as flow 3's poller remembers settled change requests).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from pipeline.core import keys
from pipeline.core.redis_values import text
from pipeline.flows.approvals.change_requests import current_user
from pipeline.flows.recalls import ecm, intake
from pipeline.index.recalls import Recall
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import redis_client, services
from pipeline.runtime.log import log_event


def week_of(moment: datetime) -> str:
    """`2026-W49`: the ISO week a status report is owed for."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def sync(otcs: OTCSClient, store_hash: str, node_id: int, service_user: int) -> Recall:
    """Read the recall from the ECM and save it in the index when it differs; the recall.
    A decision once recorded stays: the index keeps the first decider and time."""
    recall = ecm.read_recall(otcs, store_hash, node_id, service_user)
    recalls = services.archive_index().recalls
    known = recalls.get(store_hash, recall.recall_id)
    if known is not None and known.decided_by and not recall.decided_by:
        recall = _keep_decision(recall, known)
    if recall.holds_released_at is not None and (known is None or not known.holds_released_at):
        recalls.release_holds(recall, recall.holds_released_at)
    if known != recall:
        recalls.save(recall)
        log_event(
            "recall.synced",
            store=store_hash,
            recall=recall.recall_id,
            decision=recall.decision,
            decided=bool(recall.decided_by),
        )
    return recall


def _keep_decision(recall: Recall, known: Recall) -> Recall:
    return replace(recall, decided_by=known.decided_by, decided_at=known.decided_at)


def _settled(recall: Recall) -> bool:
    return not recall.is_open and recall.holds_released_at is not None


def poll(otcs: OTCSClient, store_hash: str) -> int:
    """Save every changed recall of the store and owe its fetch; how many fetches."""
    client = redis_client()
    settled_key, weeks_key = keys.recalls_settled(store_hash), keys.recall_weeks(store_hash)
    settled = {text(member) for member in client.smembers(settled_key)}
    service_user, _ = current_user(otcs)
    recalls = services.archive_index().recalls
    week = week_of(datetime.now(UTC))
    sent = 0
    for recall_id, node in ecm.recall_ids(otcs, store_hash):
        if recall_id in settled:
            continue
        before = recalls.get(store_hash, recall_id)
        try:
            recall = sync(otcs, store_hash, node.id, service_user)
        except ValueError as exc:
            log_event("recall.unreadable", logging.WARNING, store=store_hash, node=node.id,
                      error=str(exc))  # fmt: skip
            continue
        seen_week = client.hget(weeks_key, recall_id)
        new_week = recall.is_open and (seen_week is None or text(seen_week) != week)
        if before != recall or new_week:
            intake.refresh(store_hash, recall_id, "ecm", f"{week}/{recall}")
            client.hset(weeks_key, recall_id, week)
            sent += 1
        if _settled(recall):
            client.sadd(settled_key, recall_id)
    return sent
