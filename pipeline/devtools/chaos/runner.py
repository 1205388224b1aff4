"""Run one scenario and judge it: settle, replay what the faults dead-lettered, reconcile
(repairing what is missing), and check the ECM's inventory."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress

from pipeline.cli.progress import settle_bar
from pipeline.core.canvas import replay_canvas
from pipeline.core.deadletters import DeadLetterFilter
from pipeline.core.ledger import repeated_attempts_of, retries_of
from pipeline.core.redrive import REDRIVE_INTERVAL_S
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld, chaos_world
from pipeline.devtools.inventory import check_inventory
from pipeline.devtools.settling import look, wait_until_settled
from pipeline.ops.reconcile import ReconcileReport, reconcile, repair
from pipeline.runtime import clients, services
from pipeline.runtime.log import log_event
from pipeline.runtime.settings import load_settings

# Records open while nothing is queued or in flight for this long have lost their message
# and beat's re-drive job did not bring them back: reconciliation must.
# Every order the emulator can hold was modified after this.
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class ChaosReport:
    """The verdict of one run; `ok` means 0 lost, 0 duplicates, 0 hash mismatches and no
    problem of the scenario's own."""

    scenario: str
    injected: str
    orders: int = 0
    due_documents: int = 0
    present_exactly_once: int = 0
    # Records of source versions a newer one superseded (a changed order): legitimate.
    earlier_versions: int = 0
    lost: int = 0
    duplicates: int = 0
    hash_mismatch: int = 0
    dead_lettered: int = 0
    orders_refused: int = 0  # of dead_lettered: whole orders refused at fetch, not documents
    dead_letters_replayed: int = 0
    redriven: int = 0
    repaired_by_reconcile: int = 0
    stalled: bool = False
    retries: int = 0
    repeated_runs_absorbed: int = 0
    elapsed_s: float = 0.0
    faults: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.hash_mismatch or self.problems)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def run_scenario(
    scenario: Scenario,
    long: bool,
    run_dir: Path,
    seed: int,
    timeout_s: float,
    progress: Progress,
    orders: int | None = None,
) -> ChaosReport:
    """Archive a fresh store while `scenario` breaks things, then judge the result."""
    started = time.monotonic()
    started_ms = int(time.time() * 1000)
    # Not the cached settings(): this process's Redis URL is only set by chaos_world.
    stall_s = 2 * load_settings().visibility_timeout + REDRIVE_INTERVAL_S + 30
    deadline = started + timeout_s
    size = orders or (scenario.long_orders if long else scenario.short_orders)
    report = ChaosReport(scenario.name, scenario.injected)
    with chaos_world(
        run_dir, size, scenario.quota, scenario.window_ms, dict(scenario.env), seed
    ) as world:
        bar = progress.add_task(scenario.name, total=1, detail="")
        show = settle_bar(progress, bar)
        world.processes.start()
        report.problems += scenario.drive(world, long)
        progress.update(bar, description=f"{scenario.name}: settling")
        report.stalled = not wait_until_settled(world.store_hash, deadline, show, stall_s)
        if not scenario.dead_letters_expected:
            report.dead_letters_replayed = _replay_dead_letters(world)
            if report.dead_letters_replayed:
                wait_until_settled(world.store_hash, deadline, show, stall_s)
        progress.update(bar, description=f"{scenario.name}: reconciling")
        found = _reconcile_once(world)
        report.repaired_by_reconcile = _repair(world, found, deadline, show, stall_s)
        if scenario.redrive_suffices and report.repaired_by_reconcile:
            report.problems.append(
                f"reconciliation repaired {report.repaired_by_reconcile} record(s) nobody "
                "dead-lettered: re-drive should have brought them back"
            )
        report.redriven = sum(
            e["event"] == "redriven" for e in services.audit().read_since(started_ms)
        )
        # A repair changed what the ECM holds: ask again. Otherwise the answer stands.
        _judge(report, world, _reconcile_once(world) if report.repaired_by_reconcile else found)
        report.elapsed_s = round(time.monotonic() - started, 1)
    log_event("chaos.finished", **{k: v for k, v in report.to_json().items() if _scalar(v)})
    return report


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _replay_dead_letters(world: ChaosWorld) -> int:
    """What an operator does once an outage is over: `bcrm dlq replay --all`."""
    store = services.dead_letters()
    entries = store.list(DeadLetterFilter(status="dead"), limit=10**6)
    return sum(store.replay(entry.id, replay_canvas) for entry in entries)


def _reconcile_once(world: ChaosWorld) -> ReconcileReport:
    until = datetime.now(UTC) + timedelta(days=1)
    return reconcile(
        clients.otcs(),
        services.ledger(),
        world.store_hash,
        SINCE,
        until,
    )


def _repair(
    world: ChaosWorld, found: ReconcileReport, deadline: float, show: Any, stall_s: float
) -> int:
    """Re-enqueue the orders with records missing that nobody dead-lettered (those wait
    for a person) and settle again. Returns how many records reconciliation brought back."""
    if not repair(found):
        return 0
    lost = found.lost
    world.note(f"reconcile found {len(lost)} records missing; repairing")
    wait_until_settled(world.store_hash, deadline, show, stall_s)
    return len(lost)


def _judge(report: ChaosReport, world: ChaosWorld, final: ReconcileReport) -> None:
    check = check_inventory(world.sandbox.otcs["admin_url"], world.store_hash)
    seen = look(world.store_hash)
    records = services.ledger().get_many(sorted(set().union(*seen.documents.values())))
    report.orders = check.orders
    report.due_documents = check.due
    report.present_exactly_once = check.present_once
    report.earlier_versions = check.earlier_versions
    report.lost = len(check.lost)
    report.duplicates = len(check.duplicated)
    report.hash_mismatch = len(check.disagree) + len(final.hash_mismatch)
    report.dead_lettered = len(check.dead_lettered)
    report.orders_refused = check.orders_refused
    report.retries = sum(retries_of(r) for r in records)
    report.repeated_runs_absorbed = sum(repeated_attempts_of(r) - retries_of(r) for r in records)
    report.faults = world.injected
    report.figures = world.figures
    report.problems += [*check.lost, *check.duplicated, *check.disagree]
    report.problems += [f"reconcile: {f.path} {f.detail}" for f in final.hash_mismatch]
    report.problems += [f"reconcile: {f.path} {f.detail}" for f in final.ledger_disagrees]
    report.problems += [f"reconcile: {f.path} missing ({f.detail})" for f in final.lost]
