"""Everything known about one record, for `bcrm record show`: the ledger's state and
attempts per stage, its audit events (the Redis stream while they are there, then the
index), its dead letters, the index row, and its node, hash and cross-references in the ECM.

The ECM part is best effort: the ECM may be unconfigured or down, and an operator looking
at a stuck record must still see the rest, with a line saying what could not be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from pipeline.core.deadletters import DeadLetterFilter, DeadLetterStore
from pipeline.core.ledger import STAGES, AuditTrail, Ledger
from pipeline.index.records import ArchiveIndex, row_to_json
from pipeline.integrations.otcs.client import OTCSClient

_ATTEMPTS = re.compile(r"^attempts:(.+)$")


def ledger_view(record: dict[str, str]) -> dict[str, Any]:
    """State, and per stage how often it ran and whether it finished."""
    seen = [m[1] for m in map(_ATTEMPTS.match, record) if m]
    stages = {
        stage: {
            "attempts": int(record.get(f"attempts:{stage}", 0)),
            "finished": f"done:{stage}" in record,
        }
        for stage in dict.fromkeys([*STAGES, *seen])
    }
    return {
        "state": record.get("state", "absent"),
        "stages": {name: value for name, value in stages.items() if value["attempts"]},
        "retries": int(record.get("retries", 0)),
        "target_id": record.get("target_id"),
        "sha256": record.get("sha256"),
    }


def ecm_view(otcs: OTCSClient, node_id: int) -> dict[str, Any]:
    node = otcs.node(node_id)
    return {
        "node_id": node.id,
        "name": node.name,
        "sha256": otcs.content_sha256(node.id),
        "cross_references": [
            {"type": x.xref_type, "target_id": x.target_id} for x in otcs.cross_references(node.id)
        ],
        "holds": hold_view(otcs, node.id),
    }


def hold_view(otcs: OTCSClient, node_id: int) -> list[dict[str, Any]]:
    """The holds on a node, direct or inherited from a container above it."""
    return [{"name": h.name, "direct": h.direct} for h in otcs.node_holds(node_id)]


def record_trail(
    record_key: str,
    ledger: Ledger,
    audit: AuditTrail,
    dead_letters: DeadLetterStore,
    index: ArchiveIndex,
    otcs: Callable[[], OTCSClient] | None,
) -> dict[str, Any]:
    """The trail of one record; `otcs` builds the client (None: the ECM is not configured)."""
    record = ledger.get(record_key)
    row = index.record(record_key)
    events = {e["id"]: e for e in index.audit_events_of(record_key)}
    events.update({e["id"]: e for e in audit.of_record(record_key)})
    letters = dead_letters.list(DeadLetterFilter(record_prefix=record_key, status=None))
    trail: dict[str, Any] = {
        "record_key": record_key,
        "ledger": ledger_view(record) if record else None,
        "audit_events": sorted(events.values(), key=lambda e: _stream_order(e["id"])),
        "dead_letters": [
            {k: v for k, v in asdict(e).items() if k not in ("args", "kwargs", "traceback")}
            for e in letters
            if e.record_key == record_key
        ],
        "index": None if row is None else row_to_json(row),
    }
    node_id = row.ecm_node_id if row else int(record.get("target_id") or 0)
    if not node_id:
        trail["ecm"] = {"error": "no ECM node known for this record"}
    elif otcs is None:
        trail["ecm"] = {"error": "the ECM is not configured (BCRM_OTCS_URL): not read"}
    else:
        try:
            trail["ecm"] = ecm_view(otcs(), node_id)
        except Exception as exc:  # any failure to read is shown, never hides the rest
            trail["ecm"] = {"error": f"ECM not reachable: {type(exc).__name__}: {exc}"}
    return trail


def _stream_order(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def order_record_keys(
    ledger: Ledger, index: ArchiveIndex, order_id: int, store_hash: str | None
) -> list[str]:
    """Every record of an order: the index's, and the ledger's not yet indexed."""
    keys = {r.record_key for r in index.records_of_subject(store_hash, "order", str(order_id))}
    prefix = f"{store_hash or '*'}/order-{order_id}-"
    for state in ledger.states_with_prefix(prefix).values():
        keys.update(state)
    return sorted(keys)
