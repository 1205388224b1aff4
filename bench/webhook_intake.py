"""P6 webhook intake benchmark: accepted deliveries per second and latency on loopback.

A fixed number of unique, signed deliveries (shared-secret header plus Standard Webhooks
signature, as registered hooks send them) goes through N concurrent keep-alive
connections to a server in its own process, against a private embedded Redis (AOF, as in
production). Two servers take turns, round after round:

- `baseline`: a bare aiohttp handler that reads the body, parses the JSON and answers 200;
- `receiver`: the real receiver (`pipeline.integrations.webhooks.server.serve`): every
  check, the dedup marks and the durable Celery publish before each 200.

After each receiver round the `fetch` queue must hold exactly one message per accepted
delivery. The median round of each server is reported.

    python bench/webhook_intake.py [--deliveries 5000] [--concurrency 16] [--rounds 3]

Prints a table and writes bench/results/webhook_intake.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "webhook_intake.json"
TARGET_PER_S = 1000.0
TARGET_P99_MS = 50.0
SECRET = "bench-shared-secret"
SIGNING_KEY = b"bench-client-secret"
SERVERS = ("baseline", "receiver")


# -- servers (run in a child process) ------------------------------------------------------


def serve_baseline(port: int) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        json.loads(await request.read())
        return web.json_response({"status": "ok"})

    async def run() -> None:
        app = web.Application()
        app.router.add_post("/webhooks/bigcommerce", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(json.dumps({"url": f"http://127.0.0.1:{port}/webhooks/bigcommerce"}), flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


def serve_receiver(port: int, redis_url: str) -> None:
    from pipeline.integrations.webhooks.config import WebhookConfig
    from pipeline.integrations.webhooks.receiver import PATH
    from pipeline.integrations.webhooks.server import run_until_signalled
    from pipeline.runtime.log import configure_logging

    configure_logging("WARNING")
    config = WebhookConfig(shared_secret=SECRET, signing_keys=(SIGNING_KEY,))

    def announce(url: str) -> None:
        print(json.dumps({"url": url + PATH}), flush=True)

    run_until_signalled(config, redis_url, "127.0.0.1", port, announce)


# -- load ----------------------------------------------------------------------------------


def deliveries(count: int, run: str) -> list[tuple[bytes, dict[str, str]]]:
    """Unique events (so none is a duplicate), signed ahead of time: the client's own
    CPU should go to sending, not to preparing."""
    now = int(time.time())
    prepared = []
    for i in range(count):
        payload = {
            "scope": "store/order/updated",
            "store_id": "1025646",
            "data": {"type": "order", "id": 100 + i},
            "hash": hashlib.sha1(f"{run}-{i}".encode()).hexdigest(),
            "created_at": now,
            "producer": "stores/benchstore",
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        msg_id = f"msg_{run}_{i}"
        mac = hmac.new(SIGNING_KEY, f"{msg_id}.{now}.".encode() + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-Bcrm-Webhook-Secret": SECRET,
            "webhook-id": msg_id,
            "webhook-timestamp": str(now),
            "webhook-signature": "v1," + base64.b64encode(mac.digest()).decode(),
        }
        prepared.append((body, headers))
    return prepared


async def load(
    url: str, work: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(work)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            for body, headers in queue:
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)
                statuses[response.status] = statuses.get(response.status, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    latencies.sort()
    accepted = statuses.get(200, 0)
    return {
        "deliveries": len(work),
        "accepted": accepted,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(seconds, 3),
        "accepted_per_s": round(accepted / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
    }


# -- orchestration -------------------------------------------------------------------------


def start_server(kind: str, port: int, redis_url: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BCRM_")}
    env.update(BCRM_REDIS_URL=redis_url, BCRM_LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--redis", redis_url],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{kind} server did not start")
    return process, json.loads(line)["url"]


def one_round(kind: str, redis_url: str, args: argparse.Namespace, run: str) -> dict[str, Any]:
    import redis

    from pipeline.runtime.embedded_redis import free_port

    client = redis.Redis.from_url(redis_url)
    client.delete("fetch")
    work = deliveries(args.deliveries, run)
    process, url = start_server(kind, free_port(), redis_url)
    try:
        asyncio.run(load(url, work[: args.warmup], args.concurrency))
        client.delete("fetch")
        result = asyncio.run(load(url, work[args.warmup :], args.concurrency))
    finally:
        process.terminate()
        process.wait(30)
    if kind == "receiver":
        queued = client.llen("fetch")
        if queued != result["accepted"]:
            raise RuntimeError(f"{result['accepted']} accepted but {queued} in fetch")
        result["enqueued"] = queued
    client.flushdb()
    return {"server": kind, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "baseline":
        serve_baseline(args.port)
        return
    if args.serve == "receiver":
        serve_receiver(args.port, args.redis)
        return

    from pipeline.runtime.embedded_redis import EmbeddedRedis

    load_start = os.getloadavg()
    rounds: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SERVERS}
    with tempfile.TemporaryDirectory(prefix="bcrm-bench-") as data_dir:
        server = EmbeddedRedis(Path(data_dir))
        server.start()
        try:
            for n in range(args.rounds):
                for kind in SERVERS:
                    rounds[kind].append(one_round(kind, server.url, args, f"{kind}{n}"))
        finally:
            server.stop()
    results = [_median(rs) for rs in rounds.values()]
    receiver = next(r for r in results if r["server"] == "receiver")
    report = {
        "benchmark": "P6 webhook intake: signed unique deliveries, durable enqueue, loopback",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "target": {"accepted_per_s": TARGET_PER_S, "p99_ms": TARGET_P99_MS},
        "met": receiver["accepted_per_s"] >= TARGET_PER_S and receiver["p99_ms"] <= TARGET_P99_MS,
        "results": results,
        "all_rounds": rounds,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for row in results:
        print(
            f"{row['server']:<9} {row['accepted_per_s']:>8.1f}/s  p50 {row['p50_ms']:>6.2f} ms"
            f"  p99 {row['p99_ms']:>6.2f} ms  statuses {row['statuses']}"
        )
    verdict = "met" if report["met"] else "MISSED"
    print(f"target ≥{TARGET_PER_S:.0f}/s, p99 ≤{TARGET_P99_MS:.0f} ms: {verdict}")


def _median(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median throughput (its latencies belong to the same round)."""
    ordered = sorted(rounds, key=lambda r: r["accepted_per_s"])
    return ordered[(len(ordered) - 1) // 2]


if __name__ == "__main__":
    main()
