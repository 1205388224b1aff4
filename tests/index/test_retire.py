"""Declared records and old audit events leave Redis once the index holds them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import redis

from pipeline.core import keys
from pipeline.core.ledger import AuditTrail, Ledger
from pipeline.index.records import ArchiveIndex
from pipeline.index.retire import DAY_S, retire_declared
from pipeline.index.rows import DeclaredRecordRow

RETAIN_DAYS = 30


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A database of its own on the session's Redis: the job scans every declared record."""
    own = redis.Redis.from_url(redis_url, db=9)
    own.flushdb()
    yield own
    own.flushdb()


def _declare(ledger: Ledger, client: redis.Redis, key: str, finished: float) -> None:
    ledger.begin_stage(key, "declare")
    ledger.complete_stage(key, "declare", {"target_id": 1}, target_id="1", sha256="a" * 64)
    client.hset(keys.ledger_record(key), "finished:declare", f"{finished:.3f}")


def _row(key: str) -> DeclaredRecordRow:
    return DeclaredRecordRow(
        key, "commerce", "invoice", "s1", "order", "1", None, "n.pdf", 1, "a" * 64,
        date(2024, 1, 1), datetime(2024, 1, 2, tzinfo=UTC), "R", "2026.1",
    )  # fmt: skip


def test_retire_moves_old_declared_records_and_audit_events_out_of_redis(
    client: redis.Redis, index: ArchiveIndex
) -> None:
    ledger, audit = Ledger(client), AuditTrail(client)
    now = time.time()
    old = now - (RETAIN_DAYS + 1) * DAY_S
    _declare(ledger, client, "s1/indexed-old", old)
    _declare(ledger, client, "s1/unindexed-old", old)
    _declare(ledger, client, "s1/indexed-recent", now)
    ledger.begin_stage("s1/in-flight", "render")
    index.record_declared(_row("s1/indexed-old"))
    index.record_declared(_row("s1/indexed-recent"))
    old_ms = int(old * 1000)
    client.xadd(keys.AUDIT_STREAM, {"event": "declared", "record_key": "s1/a"}, id=f"{old_ms}-0")
    client.xadd(keys.AUDIT_STREAM, {"event": "adopted", "record_key": "s1/a"}, id=f"{old_ms}-1")
    audit.append("declared", "s1/b")

    counts = retire_declared(ledger, index, RETAIN_DAYS, now=now)

    assert (counts.retired, counts.kept_unindexed, counts.kept_recent) == (1, 1, 1)
    assert ledger.get("s1/indexed-old") == {}
    assert "s1/indexed-old" not in ledger.in_state("declared")
    assert ledger.in_state("declared") == {"s1/unindexed-old", "s1/indexed-recent"}
    assert ledger.get("s1/in-flight")["state"] == "pending"
    assert (counts.audit_copied, counts.audit_trimmed) == (2, 2)
    assert [e["event"] for e in index.audit_events_of("s1/a")] == ["declared", "adopted"]
    assert [e["record_key"] for e in audit.read_since(0)] == ["s1/b"]

    again = retire_declared(ledger, index, RETAIN_DAYS, now=now)
    assert (again.retired, again.audit_copied, again.audit_trimmed) == (0, 0, 0)


def test_a_record_reopened_meanwhile_is_not_forgotten(client: redis.Redis) -> None:
    ledger = Ledger(client)
    _declare(ledger, client, "s1/reopened", time.time())
    ledger.reopen("s1/reopened")
    assert not ledger.forget_declared("s1/reopened")
    assert ledger.get("s1/reopened")["state"] == "pending"
