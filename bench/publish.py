"""Publish: approval → verified publish, p50 and p99, with 80 ms on every BigCommerce call
and 150 ms on every Content Server call, through the fleet against the same steps called
one after another in one process; BigCommerce (and Content Server) calls per published
change.

Both modes run against the same emulators (separate processes) and one private Redis,
with the latency on. The maker files change requests shortly before they are decided
(prices, launches, takedowns, promotions, each on a target of its own:
`pipeline.devtools.chaos.publish_plan`), so, as in a store's normal day, few requests
are open at a time; the filing is neither timed nor counted. Per mode:

- `serial`: per request, the approver's decision, then in this process the producer's
  poll (`approved_requests`) and the publish stage's work (`publishing.publish_request`)
  with the receipt rendered, classified and declared in place of handing it to the
  fleet. *Verified* is when the receipt is handed over (the change read back at its
  after-state), *filed* when the request is marked published after its receipt was
  declared.
- `fleet`: in batches of `--batch`, decisions one every `--interval` seconds while a
  producer thread polls the ECM back to back (beat's poll without its interval:
  production adds up to `BCRM_POLL_INTERVAL_S` of waiting); I/O nodes of 8 threads and a
  CPU node publish and file. *Verified* is when the publish stage finished (the
  ledger's `finished:publish`: read back, receipt owed, request marked), *filed* when
  the receipt's declare finished.

Latencies count from the moment the decision was set in the ECM; the rate is changes
per second of the counted windows (decisions to settled). Calls per change come from the
emulators' request counters over the same windows.

    python bench/publish.py [--changes 40] [--serial-changes 10] [--batch 5]
                            [--interval 1.0] [--io-nodes 2]

Prints a table and writes bench/results/publish.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from harness import Emulators, emulators, fleet, print_table, private_redis, write_results

if TYPE_CHECKING:
    from pipeline.core.messages import DocumentMessage
    from pipeline.devtools.approvals_staff import ApprovalsStaff
    from pipeline.devtools.chaos.publish_plan import Catalog, Planned
    from pipeline.integrations.bigcommerce.client import BigCommerceClient

LATENCY_MS = (80.0, 150.0)  # BigCommerce, Content Server
SETTLE_TIMEOUT_S = 1800.0


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return round(ordered[int(rank) - 1], 3)


@dataclass
class Counted:
    """Calls to each emulator by route, and seconds, over the counted windows."""

    world: Emulators
    bigcommerce: Counter[str] = field(default_factory=Counter)
    otcs: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def _read(self) -> tuple[Counter[str], Counter[str]]:
        bigcommerce = requests.get(f"{self.world.bigcommerce_admin}/counters", timeout=30).json()
        otcs = requests.get(f"{self.world.otcs_admin}/counters", timeout=30).json()
        bigcommerce.pop("total")
        return Counter(bigcommerce), Counter({r: int(c["count"]) for r, c in otcs.items()})

    @contextmanager
    def window(self) -> Iterator[None]:
        """Count what happens inside the block (nothing else may call the emulators)."""
        bigcommerce, otcs = self._read()
        started = time.perf_counter()
        yield
        self.seconds += time.perf_counter() - started
        after_bigcommerce, after_otcs = self._read()
        self.bigcommerce.update(after_bigcommerce - bigcommerce)
        self.otcs.update(after_otcs - otcs)


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
    def of(cls, mode: str, verified: list[float], filed: list[float], counted: Counted) -> Run:
        n = len(filed)
        return cls(
            mode, n, percentile(verified, 50), percentile(verified, 99), percentile(filed, 50),
            percentile(filed, 99), round(n / counted.seconds, 3),
            round(sum(counted.bigcommerce.values()) / n, 2),
            round(sum(counted.otcs.values()) / n, 1),
        )  # fmt: skip


@dataclass
class Maker:
    """Files the next change request, each on a target of its own."""

    staff: ApprovalsStaff
    client: BigCommerceClient
    catalog: Catalog
    store_hash: str
    filed: int = 0

    def file(self, count: int) -> list[Planned]:
        from pipeline.devtools.chaos.publish_plan import file_wave

        planned = file_wave(
            self.staff, self.client, self.store_hash, self.catalog, count, [], self.filed
        )
        self.filed += count
        return planned


def hire_maker(store_hash: str) -> Maker:
    from pipeline.devtools.approvals_staff import hire
    from pipeline.devtools.chaos.publish_plan import Catalog
    from pipeline.flows.approvals.policy import policy
    from pipeline.runtime import clients

    client = clients.bigcommerce(store_hash)
    return Maker(hire(clients.otcs(), policy()), client, Catalog(client), store_hash)


def run_serial(world: Emulators, maker: Maker, changes: int) -> tuple[Run, Counted]:
    from datetime import UTC, datetime

    from pipeline.core import document_stages
    from pipeline.devtools.chaos.publish_plan import decide
    from pipeline.flows.approvals.policy import policy
    from pipeline.flows.approvals.producer import approved_requests, publish_unit
    from pipeline.flows.approvals.publishing import publish_request
    from pipeline.runtime import clients

    service, rules, counted = clients.otcs(), policy(), Counted(world)
    verified: list[float] = []
    filed: list[float] = []
    for _ in range(changes):
        [item] = maker.file(1)
        with counted.window():
            decide(maker.staff, item, rules)
            decided = time.perf_counter()

            def file_here(message: DocumentMessage, decided: float = decided) -> None:
                verified.append(time.perf_counter() - decided)
                document_stages.declare(document_stages.classify(document_stages.render(message)))

            due = approved_requests(service, maker.store_hash, datetime.now(UTC))
            if item.change.id not in due:
                raise RuntimeError(f"{item.change.id} is not due after its approval")
            [ref] = publish_unit(maker.store_hash, item.change.id).args
            result = publish_request(ref, hand_over=file_here)
            if result["result"] != "published":
                raise RuntimeError(f"{item.change.id}: {result}")
            filed.append(time.perf_counter() - decided)
    return Run.of("serial (one process)", verified, filed, counted), counted


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


@contextmanager
def producing(store_hash: str, polls: list[float]) -> Iterator[None]:
    """Beat's change-request poll, back to back in a thread for the block; each poll's
    duration kept."""
    from pipeline.flows.approvals.producer import poll_change_requests
    from pipeline.runtime import clients

    service, stop = clients.otcs(), threading.Event()

    def poll() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            poll_change_requests(service, store_hash)
            polls.append(time.perf_counter() - started)

    thread = threading.Thread(target=poll)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def publish_batch(
    maker: Maker, batch: list[Planned], interval_s: float, polls: list[float]
) -> dict[str, tuple[float, float, float]]:
    """Decide the batch one every `interval_s` while the producer polls; per request,
    when it was decided, verified and filed (epoch seconds)."""
    from pipeline.devtools.chaos.publish_plan import decide
    from pipeline.flows.approvals.policy import policy

    rules, decided = policy(), {}
    with producing(maker.store_hash, polls):
        started = time.perf_counter()
        for n, item in enumerate(batch):
            time.sleep(max(0.0, started + n * interval_s - time.perf_counter()))
            decide(maker.staff, item, rules)
            decided[item.change.id] = time.time()
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while (done := finished(maker.store_hash, batch)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the fleet did not publish every change in time")
            time.sleep(0.2)
    return {c: (decided[c], *done[c]) for c in decided}


def run_fleet(
    world: Emulators, redis_url: str, log_dir: Path, maker: Maker, args: argparse.Namespace
) -> tuple[Run, Counted, list[float]]:
    counted, polls = Counted(world), []
    times: dict[str, tuple[float, float, float]] = {}
    with fleet(redis_url, log_dir, ("io",) * args.io_nodes + ("cpu",)):
        for start in range(0, args.changes, args.batch):
            batch = maker.file(min(args.batch, args.changes - start))
            with counted.window():
                times.update(publish_batch(maker, batch, args.interval, polls))
    verified = [published - decided for decided, published, _ in times.values()]
    filed = [max(published, declared) - decided for decided, published, declared in times.values()]
    mode = f"fleet ({args.io_nodes} io × 8 threads, cpu × 2)"
    return Run.of(mode, verified, filed, counted), counted, polls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40, help="changes through the fleet")
    parser.add_argument("--serial-changes", type=int, default=10, help="changes, serially")
    parser.add_argument("--batch", type=int, default=5, help="changes filed, then decided")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between decisions")
    parser.add_argument("--io-nodes", type=int, default=2, help="I/O nodes of 8 threads each")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        work = Path(tmp)
        with private_redis(work) as server, emulators(work / "logs", orders=1) as world:
            world.set_latency(*LATENCY_MS)
            maker = hire_maker(world.store_hash)
            serial, serial_calls = run_serial(world, maker, args.serial_changes)
            fleet_run, fleet_calls, polls = run_fleet(world, server.url, work / "logs", maker, args)
    rows = [asdict(serial), asdict(fleet_run)]
    print_table("Publish: approval → verified publish (80 ms BigCommerce, 150 ms OTCS)", rows)
    print(f"fleet producer polls: {len(polls)}, p50 {percentile(polls, 50)} s")
    write_results(
        "publish",
        {
            "benchmark": "publish",
            "latency_ms": dict(zip(("bigcommerce", "otcs"), LATENCY_MS, strict=True)),
            "batch": args.batch,
            "interval_s": args.interval,
            "runs": rows,
            "calls_by_route": {
                mode: {"bigcommerce": dict(c.bigcommerce), "otcs": dict(c.otcs)}
                for mode, c in (("serial", serial_calls), ("fleet", fleet_calls))
            },
            "producer_poll_p50_s": percentile(polls, 50),
        },
    )


if __name__ == "__main__":
    main()
