"""P7 memory: worker RSS over 20,000 tasks, and Redis memory per 1,000 in-flight orders.

Worker RSS: the fleet of `bcrm demo` (an I/O node of 8 threads, a CPU node of 2 prefork
processes) runs placeholder items through fetch → render → classify → declare, four tasks
each. After a warm-up (imports, connections, first allocations), the resident memory of
every worker process (node main processes and pool children, `VmRSS`) is read, the
remaining tasks run, and it is read again. Pool processes are recycled after
BCRM_MAX_TASKS_PER_CHILD tasks (1,000), so the CPU node's children are young at the end;
the I/O node's threads are never recycled, which makes it the one that would show a leak.

Redis: with no worker running, 1,000 order events are enqueued as the pollers and the
webhook receiver do, and `INFO memory` is read before and after; the messages are then
deleted. Staged snapshots and documents of in-flight orders are bounded separately by
BCRM_STAGING_MAX_BYTES (a full staging store refuses puts; it never grows past its cap).

    python bench/worker_memory.py [--tasks 20000] [--orders 1000]

Prints a table and writes bench/results/worker_memory.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import descendants, fleet, print_table, private_redis, wait_settled, write_results

if TYPE_CHECKING:
    from pipeline.runtime.fleet import Fleet

STAGES_PER_ITEM = 4
WARM_UP_ITEMS = 250
GROWTH_TARGET_PCT = 10.0
SETTLE_TIMEOUT_S = 1800.0


def rss_kib(pid: int) -> int:
    """Resident set size of one process, 0 if it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1])


def node_rss_kib(workers: Fleet) -> dict[str, int]:
    """Per worker node: its main process plus its pool children, as they are now."""
    return {w.group: sum(rss_kib(p) for p in descendants(w.process.pid)) for w in workers.workers}


def run_items(run_id: str, first: int, count: int, declared_before: int) -> None:
    """Send `count` placeholder canvases and wait until all of them are declared."""
    from pipeline.devtools.canary import PlaceholderItem, canvas

    for n in range(first, first + count):
        canvas(PlaceholderItem(f"{run_id}-{n:06d}").ref()).apply_async()
    wait_settled(lambda c: c["declared"] >= declared_before + count, SETTLE_TIMEOUT_S)


def worker_rss(redis_url: str, log_dir: Path, tasks: int) -> list[dict[str, Any]]:
    os.environ["BCRM_FLOWS"] = "commerce,fulfilment,canary"  # the placeholder tasks
    items = max(tasks // STAGES_PER_ITEM - WARM_UP_ITEMS, 1)
    run_id = uuid.uuid4().hex[:8]
    with fleet(redis_url, log_dir) as workers:
        run_items(run_id, 0, WARM_UP_ITEMS, 0)
        start = node_rss_kib(workers)
        run_items(run_id, WARM_UP_ITEMS, items, WARM_UP_ITEMS)
        end = node_rss_kib(workers)
    rows = []
    for node in start:
        growth = 100 * (end[node] - start[node]) / start[node]
        rows.append(
            {
                "measure": f"RSS, {node} node (main + pool)",
                "tasks": items * STAGES_PER_ITEM,
                "start": f"{start[node] / 1024:.1f} MiB",
                "end": f"{end[node] / 1024:.1f} MiB",
                "change": f"{growth:+.1f} %",
                "target": f"≤ {GROWTH_TARGET_PCT:.0f} %",
                "met": growth <= GROWTH_TARGET_PCT,
            }
        )
    return rows


def redis_per_orders(orders: int) -> dict[str, Any]:
    """`used_memory` added by `orders` queued fetch events, purged afterwards."""
    from pipeline.flows.commerce.intake import enqueue_order_event
    from pipeline.runtime import redis_client, settings

    client = redis_client()
    before = int(client.info("memory")["used_memory"])
    for order_id in range(1, orders + 1):
        enqueue_order_event("benchstore", order_id, "bench", uuid.uuid4().hex)
    queued = int(client.info("memory")["used_memory"])
    client.delete("fetch")
    after_purge = int(client.info("memory")["used_memory"])
    per_1000 = (queued - before) * 1000 / orders
    return {
        "measure": "Redis used_memory per 1,000 queued order events",
        "tasks": orders,
        "start": f"{before / 1024:.0f} KiB",
        "end": f"{queued / 1024:.0f} KiB (purged: {after_purge / 1024:.0f} KiB)",
        "change": f"{per_1000 / 1024:.0f} KiB per 1,000",
        "target": f"staging capped at {settings().staging_max_bytes / 2**20:.0f} MiB",
        "met": after_purge - before < per_1000 / 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000, help="stage tasks in all")
    parser.add_argument("--orders", type=int, default=1_000, help="order events queued")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-p7-") as tmp:
        work = Path(tmp)
        with private_redis(work) as server:
            redis_url = server.url
            rows = worker_rss(redis_url, work / "logs", args.tasks)
            rows.append(redis_per_orders(args.orders))
    print_table("P7 memory", rows)
    write_results("worker_memory", {"benchmark": "p7", "rows": rows})


if __name__ == "__main__":
    main()
