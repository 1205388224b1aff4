"""Whether a recall authorises its takedown change request now, and the time-to-takedown
evidence its receipt carries.

A takedown stands on the recall's decision, as the archive index holds it (the ECM's
Recall workspace mirrored by flow 6): the recall exists, is still open, has a decision
(`decided_by`, `decided_at`), was decided by someone other than whoever opened it
(separation of duties, NIST SP 800-53 AC-5, as for every approval) and covers the
target. Otherwise the publish stage refuses it with a refusal record naming why.

The evidence (reference flows-2-3-4-6-7.md flow 6, "time-to-takedown evidence: decision
→ API call → verified storefront state"): the decision's time and who opened and decided
the recall, when the write was sent and answered, when the read-back verified the
product or variant off sale, and the seconds from the decision to that verification.
All times are the UTC clock of the worker that published, to the millisecond; the
decision's is the ECM's as the index holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.publish import PublishOutcome
from pipeline.flows.recalls.takedown import recall_id_of, target_of_item
from pipeline.index.recalls import Recall, Recalls


def refusal(recall: Recall | None, change: ChangeRequest, targets: set[str]) -> str | None:
    """Why `recall` does not authorise `change` (None: it does); `targets` are the
    recall's items as change requests name them."""
    recall_id = recall_id_of(change)
    if recall is None:
        return f"no recall {recall_id} in the archive index"
    if not recall.is_open:
        return f"recall {recall_id} is {recall.decision}: nothing to take down"
    if recall.decided_at is None or not recall.decided_by:
        return f"recall {recall_id} has no decision"
    if recall.decided_by == recall.opened_by:
        return (
            f"separation of duties: recall {recall_id} was decided by "
            f"{recall.decided_by}, who opened it"
        )
    if change.target not in targets:
        return f"{change.target} is not an item of recall {recall_id}"
    return None


def authority(recalls: Recalls, change: ChangeRequest) -> tuple[Recall | None, str | None]:
    """The recall a takedown is for (None if unknown), and why it does not authorise it."""
    recall = recalls.get(change.store_hash, recall_id_of(change))
    targets = (
        set()
        if recall is None
        else {target_of_item(i) for i in recalls.items(recall.store_hash, recall.recall_id)}
    )
    return recall, refusal(recall, change, targets)


def _call(outcome: PublishOutcome, step: str, moment: str) -> str:
    found = [call[moment] for call in outcome.calls if call["step"] == step]
    return found[-1] if found else ""


def evidence(
    recall: Recall | None, change: ChangeRequest, outcome: PublishOutcome
) -> dict[str, Any]:
    """The receipt's time-to-takedown section (see the module docstring)."""
    decided = recall.decided_at if recall is not None else None
    if decided is not None and decided.tzinfo is None:
        decided = decided.replace(tzinfo=UTC)  # the index keeps UTC; SQLite drops the zone
    verified = ""
    if not outcome.refused and outcome.calls:
        verified = outcome.calls[-1]["answered_at"]  # the read-back (or the adopting read)
    seconds = None
    if decided is not None and verified:
        seconds = round((datetime.fromisoformat(verified) - decided).total_seconds(), 3)
    return {
        "recall_id": recall_id_of(change),
        "target": change.target,
        "opened_by": recall.opened_by if recall is not None else "",
        "decided_by": (recall.decided_by or "") if recall is not None else "",
        "decided_at": decided.isoformat(timespec="milliseconds") if decided else "",
        "write_sent_at": _call(outcome, "write", "sent_at"),
        "write_answered_at": _call(outcome, "write", "answered_at"),
        "verified_at": verified,
        "decision_to_verified_s": seconds,
    }
