"""`bcrm demo`: the skeleton canvas over a few hundred items on a real fleet.

Starts (or reuses) Redis, starts one worker process per stage group, enqueues the items,
shows progress from the ledger, then checks the target: every item declared exactly
once, with the hash the ledger recorded. The caller stops what was started.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.cli.progress import progress_bar
from pipeline.core.canvas import skeleton_canvas
from pipeline.core.ledger import retries_of
from pipeline.devtools.skeleton import PlaceholderItem, document_name, target_inventory
from pipeline.runtime import services

POLL_S = 0.2
FINAL_STATES = ("declared", "dead_lettered")


@dataclass
class DemoSummary:
    """What the demo reports, on screen and as JSON."""

    run_id: str
    items: int
    states: dict[str, int]
    retries: int
    dead_letters: int
    elapsed_s: float
    declared_exactly_once: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.declared_exactly_once == self.items

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def plan_items(
    run_id: str, count: int, transient_every: int, work_ms: int
) -> list[PlaceholderItem]:
    """A deterministic mix: every `transient_every`-th item fails one stage's first try."""
    stages = ("fetch", "render", "classify", "declare")
    items = []
    for n in range(count):
        fail = {}
        if transient_every and n % transient_every == transient_every - 1:
            fail = {stages[(n // transient_every) % len(stages)]: 1}
        items.append(
            PlaceholderItem(f"{run_id}-{n:05d}", work_ms={"render": work_ms}, fail_first=fail)
        )
    return items


def _states(record_keys: list[str]) -> Counter[str]:
    return Counter(r.get("state", "queued") for r in services.ledger().get_many(record_keys))


def run_demo(
    count: int,
    timeout_s: float,
    transient_every: int = 10,
    work_ms: int = 5,
    show_progress: bool = True,
) -> DemoSummary:
    """Enqueue `count` items, wait for all to settle, verify the target."""
    run_id = f"demo-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    items = plan_items(run_id, count, transient_every, work_ms)
    record_keys = [item.record_key for item in items]
    started, started_ms = time.monotonic(), int(time.time() * 1000)
    for item in items:
        skeleton_canvas(item.ref()).apply_async()
    with progress_bar(show_progress) as progress:
        bar = progress.add_task("declaring", total=count, detail="")
        while True:
            states = _states(record_keys)
            settled = sum(states[s] for s in FINAL_STATES)
            detail = " ".join(f"{k}={v}" for k, v in sorted(states.items()))
            progress.update(bar, completed=settled, detail=detail)
            if settled == count or time.monotonic() - started > timeout_s:
                break
            time.sleep(POLL_S)
    return verify(run_id, items, started_ms, time.monotonic() - started)


def verify(
    run_id: str, items: list[PlaceholderItem], started_ms: int, elapsed_s: float
) -> DemoSummary:
    """Compare ledger, target and audit trail item by item: one creation per record."""
    records = services.ledger().get_many([item.record_key for item in items])
    creations = Counter(
        e["record_key"] for e in services.audit().read_since(started_ms) if e["event"] == "declared"
    )
    names = [document_name({"record_key": item.record_key}) for item in items]
    inventory = target_inventory(names)
    problems: list[str] = []
    exactly_once = 0
    for item, record, name in zip(items, records, names, strict=True):
        node = inventory.get(name)
        if creations[item.record_key] > 1:
            problems.append(f"{item.record_key}: created {creations[item.record_key]} times")
        elif record.get("state") != "declared":
            problems.append(f"{item.record_key}: state {record.get('state', 'never started')}")
        elif node is None:
            problems.append(f"{item.record_key}: declared in the ledger but absent from target")
        elif node["node_id"] != record.get("target_id") or node["sha256"] != record.get("sha256"):
            problems.append(f"{item.record_key}: ledger and target disagree")
        else:
            exactly_once += 1
    states = Counter(r.get("state", "queued") for r in records)
    return DemoSummary(
        run_id=run_id,
        items=len(items),
        states=dict(sorted(states.items())),
        retries=sum(retries_of(r) for r in records),
        dead_letters=states["dead_lettered"],
        elapsed_s=round(elapsed_s, 2),
        declared_exactly_once=exactly_once,
        problems=problems,
    )
