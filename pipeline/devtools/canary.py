"""The canary flow: placeholder items through the four real stages and stores, for the
tests of the machinery alone (`BCRM_FLOWS=...,canary`; no deployment runs it).

It proves the plumbing (queues, staging, ledger, retries, dead letters, re-drive,
idempotent declare, crashes mid-task) with no BigCommerce or ECM behind it. Each item is
one record that runs every stage under its own key, and carries a small plan: how long
each stage "works" and how many of its first attempts fail transiently, so the tests can
exercise retries and crashes deterministically. It files into a Redis hash standing in
for the ECM.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from celery.canvas import Signature

from pipeline.core import keys
from pipeline.core.canvas import chain_from
from pipeline.core.errors import PermanentError, TransientError
from pipeline.core.stage import StageTask, stage_task
from pipeline.runtime import redis_client, services

TEMPLATE_VERSION = "skeleton-1"
FLOW_NAME = "canary"


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
        stored = client.hget(keys.SKELETON_TARGET, name)
        if stored is None:
            # Emptied between HSETNX and HGET (a test resetting the target): try again.
            raise TransientError(f"{name} left the target while being adopted")
        existing = json.loads(stored)
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


@stage_task("bcrm.fetch.placeholder", flow=FLOW_NAME)
def fetch_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return fetch(ref, self.attempt)


@stage_task("bcrm.render.placeholder", flow=FLOW_NAME)
def render_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return render(ref, self.attempt)


@stage_task("bcrm.classify.placeholder", flow=FLOW_NAME)
def classify_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return classify(ref, self.attempt)


@stage_task("bcrm.declare.placeholder", flow=FLOW_NAME)
def declare_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return declare(ref, self.attempt)


def canvas(ref: dict[str, Any]) -> Signature:
    """fetch → render → classify → declare for one placeholder item."""
    return chain_from(fetch_placeholder.name, [ref], {})
