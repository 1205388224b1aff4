"""Reopening a record, the ledger side of reconciliation's repair."""

from __future__ import annotations

import fakeredis

from pipeline.core.ledger import Ledger


def test_a_reopened_record_runs_every_stage_again() -> None:
    ledger = Ledger(fakeredis.FakeRedis())
    ledger.begin_stage("s/doc/1", "render")
    ledger.complete_stage("s/doc/1", "render", {"rendered": "d"})
    ledger.complete_stage("s/doc/1", "declare", {"target_id": 7}, target_id="7", sha256="h")

    assert ledger.reopen("s/doc/1") == "declared"

    record = ledger.get("s/doc/1")
    assert record["state"] == "pending" and "reopened_at" in record
    assert ledger.before_stage("s/doc/1", "render")[0] is None
    assert ledger.before_stage("s/doc/1", "declare")[0] is None
    assert ledger.in_state("pending") == {"s/doc/1"} and not ledger.in_state("declared")
    assert ledger.complete_stage("s/doc/1", "declare", {}, target_id="8") == "declared"
    assert ledger.get("s/doc/1")["target_id"] == "8"


def test_reopening_an_unknown_record_creates_nothing() -> None:
    ledger = Ledger(fakeredis.FakeRedis())
    assert ledger.reopen("s/doc/none") is None
    assert ledger.get("s/doc/none") == {}
    assert ledger.counts()["pending"] == 0
