"""Benchmark: simple GETs per second against the BigCommerce emulator, next to a bare
aiohttp "hello" handler on the same machine.

Each server runs in its own process (one core's worth: one event loop) so the client does
not share its GIL. The emulator is seeded with 10,000 orders and an unlimited quota, so the
figures measure the full middleware path (auth, rate-limit bookkeeping, counters, faults
check) plus rendering. The baseline answers a small JSON object: the floor of the HTTP stack.
Routes: one v2 order (`GET /v2/orders/{id}`, the N+1 workhorse of every client), one v3
product, and a 50-order v2 page.

Run: `python bench/bigcommerce_emulator.py [--requests 2000] [--concurrency 16] [--rounds 3]`
Rounds alternate between the servers and the median round is reported, so a burst of
load from other processes on a shared machine does not decide the figure.
Writes bench/results/bigcommerce_emulator.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

RESULTS = Path(__file__).parent / "results" / "bigcommerce_emulator.json"
SEED_ORDERS = 10_000
WARMUP = 200


def run_emulator(queue: Any, stop: Any) -> None:
    from sandbox.bigcommerce import BigCommerceEmulator

    with BigCommerceEmulator(orders=SEED_ORDERS, seed=1, quota=None) as emulator:
        queue.put(
            {"kind": "emulator", "base_url": emulator.base_url, "token": emulator.access_token}
        )
        stop.wait()


def run_baseline(queue: Any, stop: Any) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"id": int(request.match_info.get("id", 0)), "ok": True})

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/stores/base/{tail:.*}", hello)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        queue.put(
            {
                "kind": "baseline",
                "base_url": f"http://127.0.0.1:{port}/stores/base",
                "token": "none",
            }
        )
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    asyncio.run(serve())


ROUTES = {
    "v2 order": lambda n: f"/v2/orders/{n % SEED_ORDERS + 1}",
    "v3 product": lambda n: f"/v3/catalog/products/{n % 100 + 1}",
    "v2 orders page": lambda n: f"/v2/orders?limit=50&page={n % 200 + 1}",
}


@dataclass
class Result:
    server: str
    route: str
    concurrency: int
    requests: int
    seconds: float
    gets_per_s: float
    p50_ms: float
    p95_ms: float


async def measure(info: dict[str, str], route: str, total: int, concurrency: int) -> Result:
    path_for = ROUTES[route]
    numbers = itertools.count()
    latencies: list[float] = []
    headers = {"X-Auth-Token": info["token"], "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker(count: int) -> None:
            for _ in range(count):
                url = info["base_url"] + path_for(next(numbers))
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"GET {url}: {response.status}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker(WARMUP // concurrency + 1) for _ in range(concurrency)))
        latencies.clear()
        share, extra = divmod(total, concurrency)
        started = time.perf_counter()
        await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))
        seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return Result(
        server=info["kind"],
        route=route,
        concurrency=concurrency,
        requests=total,
        seconds=round(seconds, 3),
        gets_per_s=round(total / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p95_ms=round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    )


def start(target: Any) -> tuple[dict[str, str], Any, Any]:
    """Run a server in its own (spawned) process; return its info, stop event, process."""
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    process = context.Process(target=target, args=(queue, stop), daemon=True)
    process.start()
    return queue.get(timeout=120), stop, process


def median_run(runs: list[Result]) -> Result:
    """The run with the median throughput: robust against a noisy, shared machine."""
    return sorted(runs, key=lambda r: r.gets_per_s)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers = [start(run_baseline), start(run_emulator)]
    cases = [
        (info, route, c)
        for info, _, _ in servers
        for route in (["v2 order"] if info["kind"] == "baseline" else list(ROUTES))
        for c in (1, args.concurrency)
    ]
    runs: dict[tuple[str, str, int], list[Result]] = {}
    try:
        for _ in range(args.rounds):
            for info, route, c in cases:
                result = asyncio.run(measure(info, route, args.requests, c))
                runs.setdefault((info["kind"], route, c), []).append(result)
    finally:
        for _, stop, process in servers:
            stop.set()
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    results = [median_run(r) for r in runs.values()]
    print(f"median of {args.rounds} alternating rounds")
    print(
        f"{'server':<10}{'route':<16}{'conc':>5}{'requests':>9}{'GET/s':>9}{'p50 ms':>9}"
        f"{'p95 ms':>9}"
    )
    for r in results:
        print(
            f"{r.server:<10}{r.route:<16}{r.concurrency:>5}{r.requests:>9}"
            f"{r.gets_per_s:>9.1f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
        )
    baseline = {r.concurrency: r.gets_per_s for r in results if r.server == "baseline"}
    ratio = {
        r.concurrency: round(r.gets_per_s / baseline[r.concurrency], 3)
        for r in results
        if r.server == "emulator" and r.route == "v2 order"
    }
    print("emulator (v2 order) / baseline throughput:", ratio)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bigcommerce_emulator simple GETs, 10,000 seeded orders, no quota",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "aiohttp": aiohttp.__version__,
                "rounds": args.rounds,
                "results": [asdict(r) for r in results],
                "emulator_vs_baseline": {str(k): v for k, v in ratio.items()},
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
