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
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from aiohttp import web
from harness import print_table, write_results
from servers import latency_ms, median_by, spawned, timed_load

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
        base_url = f"http://127.0.0.1:{port}/stores/base"
        queue.put({"kind": "baseline", "base_url": base_url, "token": "none"})
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
    headers = {"X-Auth-Token": info["token"], "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def one() -> None:
            url = info["base_url"] + path_for(next(numbers))
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {url}: {response.status}")

        seconds, latencies = await timed_load(one, total, concurrency, WARMUP)
    return Result(
        server=info["kind"],
        route=route,
        concurrency=concurrency,
        requests=total,
        seconds=round(seconds, 3),
        gets_per_s=round(total / seconds, 1),
        **latency_ms(latencies),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[tuple[str, str, int], list[Result]] = {}
    with spawned(run_baseline, run_emulator) as servers:
        cases = [
            (server.info, route, c)
            for server in servers
            for route in (["v2 order"] if server.info["kind"] == "baseline" else list(ROUTES))
            for c in (1, args.concurrency)
        ]
        for _ in range(args.rounds):
            for info, route, c in cases:
                result = asyncio.run(measure(info, route, args.requests, c))
                runs.setdefault((info["kind"], route, c), []).append(result)
    results = [median_by(r, lambda run: run.gets_per_s) for r in runs.values()]
    print_table(f"median of {args.rounds} alternating rounds", [asdict(r) for r in results])
    baseline = {r.concurrency: r.gets_per_s for r in results if r.server == "baseline"}
    ratio = {
        str(r.concurrency): round(r.gets_per_s / baseline[r.concurrency], 3)
        for r in results
        if r.server == "emulator" and r.route == "v2 order"
    }
    print("emulator (v2 order) / baseline throughput:", ratio)
    write_results(
        "bigcommerce_emulator",
        {
            "benchmark": "bigcommerce_emulator simple GETs, 10,000 seeded orders, no quota",
            "aiohttp": aiohttp.__version__,
            "rounds": args.rounds,
            "results": [asdict(r) for r in results],
            "emulator_vs_baseline": ratio,
        },
    )


if __name__ == "__main__":
    main()
