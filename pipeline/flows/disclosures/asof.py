"""The as-of answer: for every disclosure of a store (or one channel), which version was
live at a moment, from the archive index alone (issue 13's JSON shape, README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.flows.disclosures.evidence import UNKNOWN, Run, verdict
from pipeline.index.disclosures import DisclosureIndex, VersionRow
from schemas.disclosures import CHECKOUT_TERMS, PAGE, PRIVACY


def _version_json(run: Run, version: VersionRow) -> dict[str, Any]:
    return {
        "content_sha256": version.content_sha256,
        "ecm_node_id": version.ecm_node_id,
        "first_seen": run.first_seen.isoformat(),
        "last_seen": run.last_seen.isoformat(),
    }


def _never_captured(channel_id: int, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`unknown` entries for what a channel always has but bcrm never captured: its
    checkout terms and privacy settings, and its pages (subject null: which pages existed
    is itself unknown). A receipt must not read as if there were none."""
    present = {(a["kind"], a["subject"]) for a in answers}
    missing: list[tuple[str, str | None, str]] = [
        (kind, str(channel_id), name)
        for kind, name in (
            (CHECKOUT_TERMS, f"Checkout terms and conditions, channel {channel_id}"),
            (PRIVACY, f"Customer privacy settings, channel {channel_id}"),
        )
        if (kind, str(channel_id)) not in present
    ]
    if not any(kind == PAGE for kind, _ in present):
        missing.append((PAGE, None, "Content pages (none captured)"))
    return [
        {"kind": kind, "subject": subject, "name": name, "state": UNKNOWN, "versions": []}
        for kind, subject, name in missing
    ]


def disclosures_at(
    index: DisclosureIndex, store_hash: str, moment: datetime, channel_id: int | None
) -> list[dict[str, Any]]:
    """One entry per disclosure (kind, subject), in a stable order; for one channel, also
    what it has that was never captured."""
    rows = index.versions(store_hash, channel_id=channel_id)
    by_disclosure: dict[tuple[str, str], dict[str, VersionRow]] = {}
    for row in rows:
        by_disclosure.setdefault((row.kind, row.subject), {})[row.fingerprint] = row
    answers = []
    for (kind, subject), versions in sorted(by_disclosure.items()):
        evidence = index.evidence(store_hash, kind, subject)
        found = verdict(evidence.runs, evidence.changes, moment)
        named = [versions[run.fingerprint] for run in found.runs]
        newest = evidence.runs[-1].fingerprint if evidence.runs else next(iter(versions))
        answers.append(
            {
                "kind": kind,
                "subject": subject,
                "name": (named[0] if named else versions[newest]).name,
                "state": found.state,
                "versions": [
                    _version_json(run, version)
                    for run, version in zip(found.runs, named, strict=True)
                ],
            }
        )
    if channel_id is not None:
        answers += _never_captured(channel_id, answers)
    return answers


def as_of(
    index: DisclosureIndex,
    store_hash: str,
    moment: datetime,
    channel_id: int | None = None,
    order_id: int | None = None,
) -> dict[str, Any]:
    return {
        "store": store_hash,
        "order_id": order_id,
        "at": moment.isoformat(),
        "disclosures": disclosures_at(index, store_hash, moment, channel_id),
    }


def order_answer(
    index: DisclosureIndex, store_hash: str, order_id: int, channel_id: int | None = None
) -> dict[str, Any]:
    """The order's frozen receipt answer if it has one (what its receipt record says),
    else the answer now for when the archived order was placed; LookupError when the
    index knows no such order."""
    receipt = index.receipt(store_hash, order_id)
    if receipt is not None:
        return {k: receipt[k] for k in ("store", "order_id", "at", "disclosures")}
    placed = index.order_placed(store_hash, order_id)
    if placed is None:
        raise LookupError(f"order {order_id} of store {store_hash} is not in the archive index")
    return as_of(index, store_hash, placed, channel_id, order_id)
