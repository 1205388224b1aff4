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
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from aiohttp import web
from harness import print_table, write_results
from servers import latency_ms, median_by, spawned, timed_load

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
        port = runner.addresses[0][1]
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
        return int((await r.json())["id"])


async def measure(base_url: str, server: str, uploads: int, concurrency: int, pdf: bytes) -> Result:
    names = itertools.count()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        headers = await _login(session, base_url)
        parent = await _folder(session, base_url, headers)

        async def one() -> None:
            name = f"doc-{next(names)}.pdf"
            form = aiohttp.FormData()
            form.add_field("body", json.dumps({"type": 144, "parent_id": parent, "name": name}))
            form.add_field("file", pdf, filename=name, content_type="application/pdf")
            async with session.post(base_url + "/v2/nodes", data=form, headers=headers) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"upload failed: {r.status}")

        seconds, latencies = await timed_load(one, uploads, concurrency, WARMUP)
    return Result(
        server=server,
        mode="sequential" if concurrency == 1 else "concurrent",
        uploads=uploads,
        concurrency=concurrency,
        seconds=round(seconds, 3),
        uploads_per_s=round(uploads / seconds, 1),
        **latency_ms(latencies),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per setting")
    args = parser.parse_args()
    pdf = make_pdf()
    runs: dict[tuple[str, int], list[Result]] = {}
    with spawned(run_baseline, run_emulator) as servers:
        for _ in range(args.rounds):
            for concurrency in (1, args.concurrency):
                for server in servers:
                    name, base_url = server.info["kind"], server.info["base_url"]
                    result = asyncio.run(measure(base_url, name, args.uploads, concurrency, pdf))
                    runs.setdefault((name, concurrency), []).append(result)
    results = [median_by(r, lambda run: run.uploads_per_s) for r in runs.values()]
    print_table(f"median of {args.rounds} alternating rounds", [asdict(r) for r in results])
    baseline = {r.concurrency: r.uploads_per_s for r in results if r.server == "baseline"}
    ratio = {
        str(r.concurrency): round(r.uploads_per_s / baseline[r.concurrency], 3)
        for r in results
        if r.server == "emulator"
    }
    print("emulator / baseline throughput:", ratio)
    write_results(
        "otcs_emulator",
        {
            "benchmark": "otcs_emulator document uploads (30 KB PDF, POST /v2/nodes multipart)",
            "aiohttp": aiohttp.__version__,
            "rounds": args.rounds,
            "results": [asdict(r) for r in results],
            "all_runs": [asdict(r) for group in runs.values() for r in group],
            "emulator_vs_baseline": ratio,
        },
    )


if __name__ == "__main__":
    main()
