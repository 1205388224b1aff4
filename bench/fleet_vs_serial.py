"""P3 and P4: records per second through the Celery fleet against the same stage functions
called one after another in one process.

Both modes run against the same emulators (separate processes) and the same private
Redis: serial first, then the ECM is reset and Redis flushed so that the fleet declares
every record anew rather than adopting the serial run's. The serial path is
fetch → stage → (render → classify → declare) per due document, exactly the functions the
tasks call, including staging and the shared rate governor; the fleet gets one event per
order through `enqueue_order_event`, timed from the first enqueue until the ledger has
every order fetched, every document declared and every queue empty.

- `p3`: no injected latency; the fleet's gain is its second core (render runs on two
  prefork processes) against Celery's per-message cost.
- `p4`: 80 ms on every BigCommerce call, 150 ms on every Content Server call, no quota;
  the fleet hides the waits behind threads (`--io-nodes` I/O nodes of 8 threads). The
  serial mode would take minutes per hundred orders, so it runs on the first
  `--serial-orders` orders only: its rate, not its size, is compared.

    python bench/fleet_vs_serial.py p3 [--orders 300]
    python bench/fleet_vs_serial.py p4 [--orders 200] [--serial-orders 5] [--io-nodes 4]

Prints a table and writes bench/results/fleet_vs_serial_<mode>.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import (
    emulators,
    fleet,
    print_table,
    private_redis,
    queue_depths,
    tree_cpu_s,
    wait_settled,
    write_results,
)


@dataclass(frozen=True)
class Mode:
    """One benchmark's target and defaults; `serial_orders` None means all of them."""

    target: float
    orders: int
    io_nodes: int
    serial_orders: int | None = None
    latency_ms: tuple[float, float] = (0.0, 0.0)  # BigCommerce, Content Server


MODES = {
    "p3": Mode(target=1.6, orders=300, io_nodes=1),
    "p4": Mode(target=20.0, orders=200, io_nodes=4, serial_orders=5, latency_ms=(80, 150)),
}
SETTLE_TIMEOUT_S = 1800.0


@dataclass
class Run:
    """One row of the table."""

    mode: str
    orders: int
    documents: int
    elapsed_s: float
    records_per_s: float
    cpu_ms_per_record: float
    cores_busy: float
    retries: int
    peak_queue: str
    ratio_vs_serial: float
    target: str

    @classmethod
    def of(
        cls,
        mode: str,
        orders: int,
        documents: int,
        elapsed_s: float,
        cpu_s: float,
        retries: int = 0,
        peaks: dict[str, int] | None = None,
    ) -> Run:
        """`cpu_s`: CPU of every process in the run (us, emulators, Redis, workers);
        `peaks`: the deepest each stage queue got, which shows where work waited."""
        peak = " ".join(f"{q}:{n}" for q, n in (peaks or {}).items() if q != "control")
        return cls(
            mode, orders, documents, round(elapsed_s, 2), documents / elapsed_s,
            1000 * cpu_s / documents, cpu_s / elapsed_s, retries, peak, 1.0, "",
        )  # fmt: skip


def order_ids(store_hash: str) -> list[int]:
    from pipeline.runtime import clients

    return [int(o["id"]) for o in clients.bigcommerce(store_hash).iter_orders(include=())]


def run_serial(store_hash: str, orders: list[int]) -> Run:
    """Every stage function in turn, in this one process: what a fetch does (read, stage,
    the lines into the index, each flow's owed documents), then each document's render,
    classify and declare."""
    from pipeline.core import document_stages, registry
    from pipeline.core.messages import document_message
    from pipeline.runtime import services

    source = registry.fetched_sources()["order"]
    flows = registry.consumers(source.name)
    staging = services.staging()
    documents = 0
    started, cpu = time.perf_counter(), tree_cpu_s()
    for order_id in orders:
        snapshot, raw = source.fetch({"store_hash": store_hash, "order_id": order_id})
        digest = staging.put(raw)
        source.after_fetch(snapshot)
        for spec in (spec for flow in flows for spec in flow.documents_owed(snapshot)):
            message = document_message(spec, digest)
            document_stages.declare(document_stages.classify(document_stages.render(message)))
            documents += 1
    elapsed = time.perf_counter() - started
    return Run.of("serial", len(orders), documents, elapsed, tree_cpu_s() - cpu)


def run_fleet(
    redis_url: str, log_dir: Path, store_hash: str, orders: list[int], io_nodes: int
) -> Run:
    """One event per order into the fleet, until every document is declared."""
    from pipeline.flows.commerce.intake import enqueue_order_event

    with fleet(redis_url, log_dir, ("io",) * io_nodes + ("cpu",)):
        started, cpu = time.perf_counter(), tree_cpu_s()
        for order_id in orders:
            enqueue_order_event(store_hash, order_id, "bench", uuid.uuid4().hex)

        peaks: dict[str, int] = {}

        def done(counts: dict[str, int]) -> bool:
            for queue, depth in queue_depths().items():
                peaks[queue] = max(peaks.get(queue, 0), depth)
            in_between = counts["pending"] + counts["rendered"] + counts["classified"]
            return counts["fetched"] + counts["dead_lettered"] >= len(orders) and not in_between

        counts = wait_settled(done, SETTLE_TIMEOUT_S)
        elapsed, cpu = time.perf_counter() - started, tree_cpu_s() - cpu
    if counts["dead_lettered"]:
        raise RuntimeError(f"{counts['dead_lettered']} records dead-lettered; see {log_dir}")
    mode = f"fleet ({io_nodes} io × 8 threads, cpu × 2)"
    return Run.of(mode, len(orders), counts["declared"], elapsed, cpu, scheduled_retries(), peaks)


def scheduled_retries() -> int:
    """Retries after transient errors across the run's ledger: each one is a backoff wait
    the fleet spent instead of declaring."""
    from pipeline.core.ledger import retries_of
    from pipeline.runtime import services

    ledger = services.ledger()
    keys = sorted(set().union(*ledger.states_with_prefix("").values()))
    return sum(retries_of(record) for record in ledger.get_many(keys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--orders", type=int, help="orders through the fleet")
    parser.add_argument("--serial-orders", type=int, help="orders through the serial path")
    parser.add_argument("--io-nodes", type=int, help="I/O worker nodes of 8 threads each")
    args = parser.parse_args()
    spec = MODES[args.mode]
    orders = args.orders or spec.orders
    serial_orders = args.serial_orders or spec.serial_orders or orders
    io_nodes = args.io_nodes or spec.io_nodes

    with tempfile.TemporaryDirectory(prefix=f"bench-{args.mode}-") as tmp:
        work = Path(tmp)
        with private_redis(work) as server, emulators(work / "logs", orders) as world:
            redis_url = server.url
            from pipeline.runtime import redis_client

            if any(spec.latency_ms):
                world.set_latency(*spec.latency_ms)
            ids = order_ids(world.store_hash)
            serial = run_serial(world.store_hash, ids[:serial_orders])
            world.reset_ecm()
            redis_client().flushdb()
            fleet_run = run_fleet(redis_url, work / "logs", world.store_hash, ids, io_nodes)

    fleet_run.ratio_vs_serial = round(fleet_run.records_per_s / serial.records_per_s, 2)
    fleet_run.target = f"≥ {spec.target}"
    rows = [asdict(serial), asdict(fleet_run)]
    print_table(f"{args.mode.upper()} fleet vs serial", rows)
    write_results(
        f"fleet_vs_serial_{args.mode}",
        {
            "benchmark": args.mode,
            "latency_ms": dict(zip(("bigcommerce", "otcs"), spec.latency_ms, strict=True)),
            "runs": rows,
            "ratio": fleet_run.ratio_vs_serial,
            "target": spec.target,
            "met": fleet_run.ratio_vs_serial >= spec.target,
        },
    )


if __name__ == "__main__":
    main()
