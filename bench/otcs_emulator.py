"""Benchmark: document uploads per second into the OTCS emulator, against a bare baseline.

Both servers run in their own process (so the client does not share their GIL) and
receive the same request: a v2 multipart create with a `body` JSON part and a 30 KB
PDF `file` part. The baseline is a bare aiohttp handler that parses the multipart
body, hashes the file and answers `{"id": n}` — the floor cost of the HTTP stack,
so the emulator's figure reads as "overhead over aiohttp itself".

Each setting (sequential, concurrent) runs in alternating rounds against both servers
and the median round is reported, so load from other processes hits both alike.

Run: `python bench/otcs_emulator.py [--uploads 2000] [--concurrency 16] [--rounds 3]`
Writes bench/results/otcs_emulator.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
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

RESULTS = Path(__file__).parent / "results" / "otcs_emulator.json"
PDF_SIZE = 30 * 1024
WARMUP = 100


def make_pdf(size: int = PDF_SIZE) -> bytes:
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    body = (os.urandom(64).hex().encode() * (size // 128 + 1))[: size - len(head) - len(tail)]
    return head + body + tail


def run_emulator(queue: Any, stop: Any) -> None:
    from sandbox.otcs import OTCSEmulator

    with OTCSEmulator(password="bench") as emulator:
        queue.put({"base_url": emulator.base_url, "kind": "emulator"})
        stop.wait()


def run_baseline(queue: Any, stop: Any) -> None:
    ids = itertools.count(1)

    async def upload(request: web.Request) -> web.Response:
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()
            if part.filename is not None:
                hashlib.sha256(data).hexdigest()
        return web.json_response({"id": next(ids)})

    async def serve() -> None:
        app = web.Application(client_max_size=1024**3)
        app.router.add_post("/api/v2/nodes", upload)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        queue.put({"base_url": f"http://127.0.0.1:{port}/api", "kind": "baseline"})
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    asyncio.run(serve())


@dataclass
class Result:
    server: str
    mode: str
    uploads: int
    concurrency: int
    seconds: float
    uploads_per_s: float
    p50_ms: float
    p95_ms: float


async def _login(session: aiohttp.ClientSession, base_url: str) -> dict[str, str]:
    async with session.post(
        base_url + "/v1/auth", data={"username": "admin", "password": "bench"}
    ) as response:
        if response.status != 200:
            return {}
        return {"OTCSTicket": (await response.json())["ticket"]}


async def _folder(session: aiohttp.ClientSession, base_url: str, headers: dict[str, str]) -> int:
    if not headers:
        return 2000
    body = json.dumps({"type": 0, "parent_id": 2000, "name": f"bench-{time.time_ns()}"})
    async with session.post(base_url + "/v1/nodes", data={"body": body}, headers=headers) as r:
        return (await r.json())["id"]


async def measure(base_url: str, server: str, uploads: int, concurrency: int, pdf: bytes) -> Result:
    names = itertools.count()
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        headers = await _login(session, base_url)
        parent = await _folder(session, base_url, headers)

        async def one() -> None:
            name = f"doc-{next(names)}.pdf"
            form = aiohttp.FormData()
            form.add_field("body", json.dumps({"type": 144, "parent_id": parent, "name": name}))
            form.add_field("file", pdf, filename=name, content_type="application/pdf")
            started = time.perf_counter()
            async with session.post(base_url + "/v2/nodes", data=form, headers=headers) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"upload failed: {r.status}")
            latencies.append(time.perf_counter() - started)

        async def worker(count: int) -> None:
            for _ in range(count):
                await one()

        await asyncio.gather(*(worker(WARMUP // concurrency + 1) for _ in range(concurrency)))
        latencies.clear()
        started = time.perf_counter()
        share, extra = divmod(uploads, concurrency)
        await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))
        seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return Result(
        server=server,
        mode="sequential" if concurrency == 1 else "concurrent",
        uploads=uploads,
        concurrency=concurrency,
        seconds=round(seconds, 3),
        uploads_per_s=round(uploads / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p95_ms=round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    )


def start_server(target: Any) -> tuple[Any, Any, str]:
    """Run a server in its own process; returns the process, its stop event and base URL."""
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    process = context.Process(target=target, args=(queue, stop), daemon=True)
    process.start()
    return process, stop, queue.get(timeout=60)["base_url"]


def median_run(runs: list[Result]) -> Result:
    """The run with the median throughput: robust against a noisy shared machine."""
    return sorted(runs, key=lambda r: r.uploads_per_s)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per setting")
    args = parser.parse_args()
    pdf = make_pdf()
    servers = {"baseline": start_server(run_baseline), "emulator": start_server(run_emulator)}
    runs: dict[tuple[str, int], list[Result]] = {}
    try:
        for _ in range(args.rounds):
            for concurrency in (1, args.concurrency):
                for name, (_, _, base_url) in servers.items():
                    result = asyncio.run(measure(base_url, name, args.uploads, concurrency, pdf))
                    runs.setdefault((name, concurrency), []).append(result)
    finally:
        for process, stop, _ in servers.values():
            stop.set()
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    results = [median_run(r) for r in runs.values()]
    print(
        f"{'server':<10}{'mode':<12}{'conc':>5}{'uploads':>9}{'up/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for r in results:
        print(
            f"{r.server:<10}{r.mode:<12}{r.concurrency:>5}{r.uploads:>9}"
            f"{r.uploads_per_s:>9.1f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
        )
    baseline = {r.concurrency: r.uploads_per_s for r in results if r.server == "baseline"}
    ratio = {
        r.concurrency: round(r.uploads_per_s / baseline[r.concurrency], 3)
        for r in results
        if r.server == "emulator"
    }
    print(f"median of {args.rounds} alternating rounds; emulator / baseline throughput:", ratio)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "otcs_emulator document uploads (30 KB PDF, POST /v2/nodes multipart)",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "aiohttp": aiohttp.__version__,
                "rounds": args.rounds,
                "results": [asdict(r) for r in results],
                "all_runs": [asdict(r) for group in runs.values() for r in group],
                "emulator_vs_baseline": {str(k): v for k, v in ratio.items()},
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
