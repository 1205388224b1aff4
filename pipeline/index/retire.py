"""Retention of working state: declared records leave Redis once the index holds them.

Redis holds what is in flight; the archive index holds what must be looked up for years.
Without this job the ledger keeps a hash per record ever declared and the audit stream
every event ever written, both in memory. A record declared more than `retain_days` ago
leaves the ledger only if its index row exists (a record the index lacks stays, and is
counted, until a rebuild or a redelivered declare writes it). Audit events as old are
copied into the index first and trimmed from the stream up to the last one copied, so a
crash between the two copies again (ignored) and trims later.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from pipeline.core.ledger import AuditTrail, Ledger
from pipeline.index.records import ArchiveIndex

DAY_S = 86_400
BATCH = 500


@dataclass
class RetireCounts:
    declared_checked: int = 0
    retired: int = 0
    kept_unindexed: int = 0
    kept_recent: int = 0
    audit_copied: int = 0
    audit_trimmed: int = 0

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def _declared_at(record: dict[str, str]) -> float | None:
    stamp = record.get("finished:declare") or record.get("updated_at")
    return float(stamp) if stamp else None


def retire_declared(
    ledger: Ledger,
    index: ArchiveIndex,
    retain_days: int,
    audit: AuditTrail | None = None,
    now: float | None = None,
) -> RetireCounts:
    """Move what is older than `retain_days` out of Redis; safe to run twice or at once
    on two beats (each step is idempotent). The audit trail defaults to the stream on the
    ledger's Redis."""
    now = time.time() if now is None else now
    audit = AuditTrail(ledger.redis) if audit is None else audit
    cutoff = now - retain_days * DAY_S
    counts = RetireCounts()
    declared = sorted(ledger.in_state("declared"))
    for start in range(0, len(declared), BATCH):
        chunk = declared[start : start + BATCH]
        for record_key, record in zip(chunk, ledger.get_many(chunk), strict=True):
            counts.declared_checked += 1
            at = _declared_at(record)
            if at is None or at > cutoff:
                counts.kept_recent += 1
            elif index.record(record_key) is None:
                counts.kept_unindexed += 1
            elif ledger.forget_declared(record_key):
                counts.retired += 1
    for events in audit.read_before(int(cutoff * 1000), batch=BATCH):
        counts.audit_copied += index.add_audit_events(events)
        counts.audit_trimmed += audit.trim_through(events[-1]["id"])
    return counts
