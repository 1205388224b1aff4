"""The skeleton flow: placeholder items through the four real stages and stores.

It proves the plumbing (queues, staging, ledger, retries, dead letters, idempotent
declare) before the commerce flows exist, and stays the demo's smoke path until they
replace it. Each item carries a small plan: how long each stage "works" and how many of
its first attempts fail transiently, so the demo and the tests can exercise retries and
crashes deterministically.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.core import keys
from pipeline.core.errors import PermanentError, TransientError
from pipeline.runtime import redis_client, services

TEMPLATE_VERSION = "skeleton-1"


@dataclass(frozen=True)
class PlaceholderItem:
    """What one placeholder item asks of each stage."""

    item_id: str
    work_ms: dict[str, int] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)

    @property
    def record_key(self) -> str:
        return f"skeleton:{self.item_id}"

    def ref(self) -> dict[str, Any]:
        """The fetch message: a reference plus the plan, no payload."""
        return {"record_key": self.record_key, "item": asdict(self)}


def _rehearse(ref: dict[str, Any], stage: str, attempt: int) -> None:
    """Spend the planned time and fail the planned number of first attempts."""
    item = ref["item"]
    work_ms = int(item["work_ms"].get(stage, 0))
    if work_ms:
        time.sleep(work_ms / 1000)
    if attempt <= int(item["fail_first"].get(stage, 0)):
        raise TransientError(f"planned transient failure of {stage}, attempt {attempt}")


def fetch(ref: dict[str, Any], attempt: int) -> dict[str, Any]:
    """Build a deterministic snapshot for the item and stage it."""
    _rehearse(ref, "fetch", attempt)
    snapshot = {"item_id": ref["item"]["item_id"], "source": "skeleton", "lines": 3}
    digest = services.staging().put(json.dumps(snapshot, sort_keys=True).encode())
    return {**ref, "snapshot": digest}


def render(ref: dict[str, Any], attempt: int) -> dict[str, Any]:
    """Turn the staged snapshot into document bytes (the same bytes every time)."""
    _rehearse(ref, "render", attempt)
    snapshot = json.loads(services.staging().get(ref["snapshot"]))
    document = f"placeholder document {TEMPLATE_VERSION}\n{json.dumps(snapshot)}\n".encode()
    digest = services.staging().put(document)
    return {**ref, "document": digest, "sha256": digest}


def classify(ref: dict[str, Any], attempt: int) -> dict[str, Any]:
    """Attach a fixed placeholder records class."""
    _rehearse(ref, "classify", attempt)
    return {**ref, "record_class": {"classification": "Skeleton/Placeholder", "rsi": "SKEL"}}


def document_name(ref: dict[str, Any]) -> str:
    """Deterministic name: the same item always files under the same name."""
    return f"{ref['record_key'].replace(':', '-')}.txt"


def declare(ref: dict[str, Any], attempt: int) -> dict[str, Any]:
    """File the document in the placeholder target, once.

    Create-if-absent under a deterministic name; finding the name taken means an earlier
    run got there: adopt it if the content hash matches, refuse loudly if it does not.
    """
    _rehearse(ref, "declare", attempt)
    data = services.staging().get(ref["document"])
    sha256 = hashlib.sha256(data).hexdigest()
    name = document_name(ref)
    node = json.dumps(
        {
            "node_id": hashlib.sha1(name.encode()).hexdigest()[:12],
            "sha256": sha256,
            "size": len(data),
        }
    )
    client = redis_client()
    adopted = not client.hsetnx(keys.SKELETON_TARGET, name, node)
    if adopted:
        existing = json.loads(client.hget(keys.SKELETON_TARGET, name))
        if existing["sha256"] != sha256:
            raise PermanentError(f"{name} exists in the target with different content")
        node = json.dumps(existing)
    return {
        "record_key": ref["record_key"],
        "target_id": json.loads(node)["node_id"],
        "sha256": sha256,
        "adopted": adopted,
    }


def target_inventory(names: list[str]) -> dict[str, dict[str, Any]]:
    """What the placeholder target holds under each name (absent names are left out)."""
    values = redis_client().hmget(keys.SKELETON_TARGET, names) if names else []
    return {n: json.loads(v) for n, v in zip(names, values, strict=True) if v is not None}
