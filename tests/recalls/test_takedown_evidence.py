"""The takedown receipt's time-to-takedown evidence, from a publish's timed calls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.publish import PublishOutcome
from pipeline.flows.recalls.takedown import REASON_PREFIX
from pipeline.flows.recalls.takedown_authority import evidence
from pipeline.index.recalls import Identifiers, Recall

CHANGE = ChangeRequest(
    "s-CR-Tabc", "s", "product_takedown", "product/3", {"availability": "disabled"},
    {"availability": "available"}, f"{REASON_PREFIX}RCL-1",
)  # fmt: skip


def recall(decided_at: datetime | None) -> Recall:
    return Recall(
        "s", "RCL-1", Identifiers(), datetime(2026, 1, 1, tzinfo=UTC), None, "h", "r", "high",
        opened_by="quinn", decided_by="lee", decided_at=decided_at,
    )  # fmt: skip


def call(step: str, sent: str, answered: str) -> dict[str, str]:
    return {"step": step, "sent_at": f"2026-12-03T10:00:{sent}+00:00",
            "answered_at": f"2026-12-03T10:00:{answered}+00:00"}  # fmt: skip


def test_published_from_the_decision_to_the_read_back() -> None:
    calls = [call("read", "01.000", "01.080"), call("write", "01.100", "01.190"),
             call("read-back", "01.200", "01.290")]  # fmt: skip
    outcome = PublishOutcome(CHANGE.id, "published", calls=calls)
    # A naive decision time is UTC (SQLite keeps no zone).
    found = evidence(recall(datetime(2026, 12, 3, 10, 0, 0)), CHANGE, outcome)
    assert found == {
        "recall_id": "RCL-1",
        "target": "product/3",
        "opened_by": "quinn",
        "decided_by": "lee",
        "decided_at": "2026-12-03T10:00:00.000+00:00",
        "write_sent_at": "2026-12-03T10:00:01.100+00:00",
        "write_answered_at": "2026-12-03T10:00:01.190+00:00",
        "verified_at": "2026-12-03T10:00:01.290+00:00",
        "decision_to_verified_s": pytest.approx(1.29),
    }


def test_adopted_has_no_write_and_refused_no_verification() -> None:
    decided = recall(datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC))
    adopted = PublishOutcome(CHANGE.id, "adopted", calls=[call("read", "02.000", "02.500")])
    found = evidence(decided, CHANGE, adopted)
    assert (found["write_sent_at"], found["verified_at"]) == ("", "2026-12-03T10:00:02.500+00:00")
    assert found["decision_to_verified_s"] == pytest.approx(2.5)
    refused = evidence(decided, CHANGE, PublishOutcome(CHANGE.id, "refused", "why"))
    assert (refused["verified_at"], refused["decision_to_verified_s"]) == ("", None)
    unknown = evidence(None, CHANGE, PublishOutcome(CHANGE.id, "refused", "no recall"))
    assert (unknown["recall_id"], unknown["decided_at"]) == ("RCL-1", "")
