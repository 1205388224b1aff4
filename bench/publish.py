"""Publish: approval → verified publish, p50 and p99, with 80 ms on every BigCommerce call
and 150 ms on every Content Server call, through the fleet against the same steps called
one after another in one process; BigCommerce (and Content Server) calls per published
change.

Both modes run against the same emulators (separate processes) and one private Redis.
The maker files every change request first (prices, launches, takedowns, promotions, each
on a target of its own: `pipeline.devtools.chaos.publish_plan`), then the latency is
switched on and, per mode:

- `serial`: per request, the approver's decision, then in this process the producer's
  poll (`approved_requests`), the publish stage's work (`publishing.publish_request`)
  with the receipt rendered, classified and declared in place of handing it to the fleet.
  *Verified* is when the receipt is handed over (the change read back at its after-state),
  *filed* when the request is marked published after its receipt was declared.
- `fleet`: decisions one every `--interval` seconds while a producer thread polls the ECM
  back to back (beat's poll without its interval: production adds up to
  `BCRM_POLL_INTERVAL_S` of waiting); I/O nodes of 8 threads and a CPU node publish and
  file. *Verified* is when the publish stage finished (the ledger's `finished:publish`:
  read back, receipt owed, request marked), *filed* when the receipt's declare finished.

Latencies count from the moment the decision was set in the ECM. Calls per change come
from the emulators' request counters, reset when the mode starts.

    python bench/publish.py [--changes 40] [--serial-changes 10] [--interval 1.0] [--io-nodes 2]

Prints a table and writes bench/results/publish.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from harness import Emulators, emulators, fleet, print_table, private_redis, write_results

if TYPE_CHECKING:
    from pipeline.core.messages import DocumentMessage
    from pipeline.devtools.approvals_staff import ApprovalsStaff
    from pipeline.devtools.chaos.publish_plan import Planned

LATENCY_MS = (80.0, 150.0)  # BigCommerce, Content Server
SETTLE_TIMEOUT_S = 1800.0


@dataclass
class Run:
    """One row of the table; latencies in seconds."""

    mode: str
    changes: int
    verified_p50_s: float
    verified_p99_s: float
    filed_p50_s: float
    filed_p99_s: float
    changes_per_s: float
    bigcommerce_calls_per_change: float
    otcs_calls_per_change: float

    @classmethod
    def of(
        cls, mode: str, verified: list[float], filed: list[float], elapsed_s: float, calls: Calls
    ) -> Run:
        n = len(filed)
        return cls(
            mode, n, percentile(verified, 50), percentile(verified, 99), percentile(filed, 50),
            percentile(filed, 99), round(n / elapsed_s, 3), round(calls.bigcommerce / n, 2),
            round(calls.otcs / n, 1),
        )  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return round(ordered[int(rank) - 1], 3)


@dataclass
class Calls:
    bigcommerce: int
    otcs: int
    bigcommerce_routes: dict[str, int]
    otcs_routes: dict[str, int]


def reset_counters(world: Emulators) -> None:
    for url in (world.bigcommerce_admin, world.otcs_admin):
        requests.delete(f"{url}/counters", timeout=30).raise_for_status()


def read_counters(world: Emulators) -> Calls:
    bigcommerce = requests.get(f"{world.bigcommerce_admin}/counters", timeout=30).json()
    otcs = requests.get(f"{world.otcs_admin}/counters", timeout=30).json()
    total = bigcommerce.pop("total")
    otcs_routes = {route: int(r["count"]) for route, r in otcs.items()}
    return Calls(total, sum(otcs_routes.values()), dict(sorted(bigcommerce.items())), otcs_routes)


def file_requests(store_hash: str, serial: int, changes: int) -> tuple[Any, list[Any], list[Any]]:
    """The people, and the change requests of each mode, filed by the maker."""
    from pipeline.devtools.approvals_staff import hire
    from pipeline.devtools.chaos.publish_plan import Catalog, file_wave
    from pipeline.flows.approvals.policy import policy
    from pipeline.runtime import clients

    client = clients.bigcommerce(store_hash)
    staff = hire(clients.otcs(), policy())
    catalog = Catalog(client)
    first = file_wave(staff, client, store_hash, catalog, serial, [], 0)
    second = file_wave(staff, client, store_hash, catalog, changes, [], serial)
    return staff, first, second


def run_serial(
    world: Emulators, staff: ApprovalsStaff, planned: list[Planned]
) -> tuple[Run, Calls]:
    from datetime import UTC, datetime

    from pipeline.core import document_stages
    from pipeline.devtools.chaos.publish_plan import decide
    from pipeline.flows.approvals.policy import policy
    from pipeline.flows.approvals.producer import approved_requests, publish_unit
    from pipeline.flows.approvals.publishing import publish_request
    from pipeline.runtime import clients

    service, rules = clients.otcs(), policy()
    verified: list[float] = []
    filed: list[float] = []
    reset_counters(world)
    started = time.perf_counter()
    for item in planned:
        decide(staff, item, rules)
        decided = time.perf_counter()

        def file_here(message: DocumentMessage, decided: float = decided) -> None:
            verified.append(time.perf_counter() - decided)
            document_stages.declare(document_stages.classify(document_stages.render(message)))

        due = approved_requests(service, world.store_hash, datetime.now(UTC))
        if item.change.id not in due:
            raise RuntimeError(f"{item.change.id} is not due after its approval")
        [ref] = publish_unit(world.store_hash, item.change.id).args
        result = publish_request(ref, hand_over=file_here)
        if result["result"] != "published":
            raise RuntimeError(f"{item.change.id}: {result}")
        filed.append(time.perf_counter() - decided)
    elapsed = time.perf_counter() - started
    calls = read_counters(world)
    return Run.of("serial (one process)", verified, filed, elapsed, calls), calls


def producer(store_hash: str, stop: threading.Event, polls: list[float]) -> None:
    """Beat's change-request poll, back to back; each poll's duration kept."""
    from pipeline.flows.approvals.producer import poll_change_requests
    from pipeline.runtime import clients

    service = clients.otcs()
    while not stop.is_set():
        started = time.perf_counter()
        poll_change_requests(service, store_hash)
        polls.append(time.perf_counter() - started)


def finished(store_hash: str, planned: list[Planned]) -> dict[str, tuple[float, float]] | None:
    """Per request, when its publish stage and its receipt's declare finished (epoch
    seconds, the ledger's clock); None until every one has."""
    from pipeline.flows.approvals.producer import publish_key
    from pipeline.runtime import services

    ledger = services.ledger()
    units = ledger.get_many([publish_key(store_hash, p.change.id) for p in planned])
    if not all("finished:publish" in unit for unit in units):
        return None
    receipts = ledger.get_many([json.loads(u["done:publish"])["receipt"] for u in units])
    if not all("finished:declare" in receipt for receipt in receipts):
        return None
    return {
        p.change.id: (float(u["finished:publish"]), float(r["finished:declare"]))
        for p, u, r in zip(planned, units, receipts, strict=True)
    }


def run_fleet(
    world: Emulators,
    redis_url: str,
    log_dir: Path,
    staff: ApprovalsStaff,
    planned: list[Planned],
    interval_s: float,
    io_nodes: int,
) -> tuple[Run, Calls, list[float]]:
    from pipeline.devtools.chaos.publish_plan import decide
    from pipeline.flows.approvals.policy import policy

    rules = policy()
    decided: dict[str, float] = {}
    polls: list[float] = []
    stop = threading.Event()
    with fleet(redis_url, log_dir, ("io",) * io_nodes + ("cpu",)):
        reset_counters(world)
        started = time.perf_counter()
        poller = threading.Thread(target=producer, args=(world.store_hash, stop, polls))
        poller.start()
        try:
            for n, item in enumerate(planned):
                time.sleep(max(0.0, started + n * interval_s - time.perf_counter()))
                decide(staff, item, rules)
                decided[item.change.id] = time.time()
            deadline = time.monotonic() + SETTLE_TIMEOUT_S
            while (done := finished(world.store_hash, planned)) is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("the fleet did not publish every change in time")
                time.sleep(0.2)
            elapsed = max(f for _, f in done.values()) - min(decided.values())
        finally:
            stop.set()
            poller.join()
        calls = read_counters(world)
    verified = [done[c][0] - decided[c] for c in decided]
    filed = [max(done[c]) - decided[c] for c in decided]
    mode = f"fleet ({io_nodes} io × 8 threads, cpu × 2)"
    return Run.of(mode, verified, filed, elapsed, calls), calls, polls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40, help="changes through the fleet")
    parser.add_argument("--serial-changes", type=int, default=10, help="changes, serially")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between decisions")
    parser.add_argument("--io-nodes", type=int, default=2, help="I/O nodes of 8 threads each")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        work = Path(tmp)
        with private_redis(work) as server, emulators(work / "logs", orders=1) as world:
            staff, first, second = file_requests(
                world.store_hash, args.serial_changes, args.changes
            )
            world.set_latency(*LATENCY_MS)
            serial, serial_calls = run_serial(world, staff, first)
            fleet_run, fleet_calls, polls = run_fleet(
                world, server.url, work / "logs", staff, second, args.interval, args.io_nodes
            )
    rows = [asdict(serial), asdict(fleet_run)]
    print_table("Publish: approval → verified publish (80 ms BigCommerce, 150 ms OTCS)", rows)
    print(f"fleet producer polls: {len(polls)}, p50 {percentile(polls, 50)} s")
    write_results(
        "publish",
        {
            "benchmark": "publish",
            "latency_ms": dict(zip(("bigcommerce", "otcs"), LATENCY_MS, strict=True)),
            "interval_s": args.interval,
            "runs": rows,
            "calls_by_route": {
                "serial": asdict(serial_calls),
                "fleet": asdict(fleet_calls),
            },
            "producer_poll_p50_s": percentile(polls, 50),
        },
    )


if __name__ == "__main__":
    main()
