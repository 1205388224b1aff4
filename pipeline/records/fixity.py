"""Fixity audit: re-hash declared records in the ECM and compare with the archive index.

Declare checks fixity once, right after upload. Silent corruption, a restore from an older
backup or a version added behind our back only show later, so the audit reads the content
back (streamed) for every declared record of a store, or a random sample of them, and
compares its SHA-256 with the one the index recorded at declaration. It checks everything
before failing, so one report lists every record that needs a look.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.index.records import ArchiveIndex
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.errors import NodeNotFound
from pipeline.ops import reports
from pipeline.runtime.log import log_event


class FixityAuditFailed(Exception):
    """Records differ from, or are gone from, the ECM. Raised at the end of the nightly
    task so that Flower and alerting see a failed task; not a stage error, nothing retries."""


@dataclass
class FixityReport:
    """One audit of one store; `sample` 0 means every declared record was checked."""

    store_hash: str
    sample: int
    started_at: str
    finished_at: str = ""
    declared: int = 0
    checked: int = 0
    mismatches: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def failure(self) -> FixityAuditFailed:
        failed = [row["record_key"] for row in (*self.mismatches, *self.missing)]
        shown = ", ".join(failed[:5]) + (" …" if len(failed) > 5 else "")
        return FixityAuditFailed(
            f"fixity audit of {self.store_hash}: {len(self.mismatches)} of {self.checked} "
            f"records differ from the archive index, {len(self.missing)} are gone: {shown}"
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def audit(otcs: OTCSClient, index: ArchiveIndex, store_hash: str, sample: int = 0) -> FixityReport:
    """Compare `content_sha256` of each declared record's node with the SHA-256 the
    archive index kept when it was declared (all of the store's records, or `sample` of
    them at random: the index keeps them for years, the Redis ledger only for
    BCRM_LEDGER_RETAIN_DAYS); log each failure at ERROR."""
    report = FixityReport(store_hash, sample, _now())
    rows = index.store_content(store_hash).records
    declared = sorted(rows)
    report.declared = len(declared)
    chosen = random.sample(declared, sample) if 0 < sample < len(declared) else declared
    for record_key in chosen:
        report.checked += 1
        target, expected = str(rows[record_key].ecm_node_id), rows[record_key].sha256
        try:
            held = otcs.content_sha256(int(target))
        except (NodeNotFound, ValueError):
            report.missing.append({"record_key": record_key, "target_id": target})
            log_event("fixity.missing", logging.ERROR, record_key=record_key, target_id=target)
            continue
        if held != expected:
            row = {"record_key": record_key, "target_id": target, "index": expected, "ecm": held}
            report.mismatches.append(row)
            log_event("fixity.mismatch", logging.ERROR, **row)
    report.finished_at = _now()
    log_event(
        "fixity.finished",
        logging.INFO if report.ok else logging.ERROR,
        store_hash=store_hash,
        declared=report.declared,
        checked=report.checked,
        mismatches=len(report.mismatches),
        missing=len(report.missing),
    )
    return report


def keep_report(client: redis.Redis, report: FixityReport) -> None:
    """The latest report per store, and a capped history, for operators and alerting."""
    reports.keep(client, "fixity", report.store_hash, report.to_json())
