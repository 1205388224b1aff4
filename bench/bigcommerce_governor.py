"""Benchmark P2: four worker processes with eight threads each share one store's quota
through `BigCommerceClient` + `RateGovernor`, next to the same load with no governor.

The emulator runs in its own process at 150 requests per window, the window compressed
to 1,000 ms so 24 windows take about half a minute per scenario. Every answer's
status, `Requests-Left` and `Reset-Ms` are recorded. Server windows are found from the
answers themselves (receive time + Reset-Ms is the window's end, within a round trip),
and the achieved rate is the successful requests of the complete windows over the time
those windows took, against the quota: the dead time between a spent window and the
next one counts against us. The baseline workers honour each error's `retry_after` on
their own, as the stage base would, so it is what a fleet without coordination does.

Run: `python bench/bigcommerce_governor.py [--windows 24] [--window-ms 1000]`
Writes bench/results/bigcommerce_governor.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import redis
import requests

RESULTS = Path(__file__).parent / "results" / "bigcommerce_governor.json"
QUOTA = 150
WORKERS = 4
THREADS = 8
Answer = tuple[float, int, int, int]  # receive time, status, requests left, reset ms


def run_emulator(queue: Any, stop: Any, window_ms: int) -> None:
    from sandbox.bigcommerce import BigCommerceEmulator

    with BigCommerceEmulator(orders=100, seed=5, quota=QUOTA, window_ms=window_ms) as emulator:
        queue.put({"base_url": emulator.base_url, "token": emulator.access_token})
        stop.wait()


def run_worker(
    info: dict[str, str], redis_url: str | None, start_at: float, stop_at: float
) -> dict[str, Any]:
    """Threads fetching orders until `stop_at`; `redis_url` None means no governor."""
    from pipeline.core.errors import TransientError
    from pipeline.integrations.bigcommerce import BigCommerceClient, RateGovernor

    governor = None
    if redis_url is not None:
        governor = RateGovernor(redis.Redis.from_url(redis_url), info["key"], guard_ms=25)

    def loop(n: int) -> tuple[list[Answer], list[str]]:
        answers: list[Answer] = []
        failures: list[str] = []
        session = requests.Session()

        def note(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            headers = response.headers
            answers.append(
                (
                    time.time(),
                    response.status_code,
                    int(headers.get("X-Rate-Limit-Requests-Left", -1)),
                    int(headers.get("X-Rate-Limit-Time-Reset-Ms", -1)),
                )
            )

        session.hooks["response"].append(note)
        client = BigCommerceClient(
            info["base_url"], info["token"], governor=governor, session=session
        )
        time.sleep(max(0.0, start_at - time.time()))
        order_id = n
        while time.time() < stop_at:
            order_id = order_id % 100 + 1
            try:
                client.get_order(order_id, include=())
            except TransientError as error:
                failures.append(type(error).__name__)
                time.sleep(min(error.retry_after or 0.0, max(0.0, stop_at - time.time())))
        client.close()
        return answers, failures

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(loop, range(THREADS)))
    return {
        "answers": [a for answers, _ in results for a in answers],
        "failures": [f for _, failures in results for f in failures],
    }


@dataclass
class Result:
    scenario: str
    requests: int
    ok: int
    throttled_429: int
    other_errors: int
    windows: int
    achieved_pct: float
    ok_per_window_min: int
    ok_per_window_max: int


def windows_of(answers: list[Answer], window_ms: int) -> list[tuple[float, int]]:
    """(end, successes) of each server window seen, in order; an answer's window ends at
    receive time + Reset-Ms, later than the truth by its trip back, so the earliest one
    in a cluster is the closest."""
    ends = sorted((t + reset / 1000, status) for t, status, _, reset in answers if reset >= 0)
    windows: list[list[float]] = []
    for end, status in ends:
        if not windows or end - windows[-1][0] > window_ms / 2000:
            windows.append([end, 0])
        windows[-1][1] += status == 200
    return [(end, int(ok)) for end, ok in windows]


def summarise(scenario: str, report: list[dict[str, Any]], window_ms: int) -> Result:
    answers = [a for r in report for a in r["answers"]]
    statuses = Counter(status for _, status, _, _ in answers)
    windows = windows_of(answers, window_ms)
    complete = windows[:-1]  # the last one was cut off by the deadline
    elapsed_s = windows[-1][0] - windows[0][0]
    ok = sum(n for _, n in complete)
    return Result(
        scenario=scenario,
        requests=len(answers),
        ok=statuses[200],
        throttled_429=statuses[429],
        other_errors=len(answers) - statuses[200] - statuses[429],
        windows=len(complete),
        achieved_pct=round(100 * ok / (elapsed_s * 1000 / window_ms * QUOTA), 1),
        ok_per_window_min=min(n for _, n in complete),
        ok_per_window_max=max(n for _, n in complete),
    )


def run_scenario(redis_url: str | None, window_ms: int, windows: int) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    emulator = context.Process(target=run_emulator, args=(queue, stop, window_ms), daemon=True)
    emulator.start()
    try:
        info = {**queue.get(timeout=120), "key": f"bench-{uuid.uuid4().hex[:8]}"}
        with context.Pool(WORKERS) as pool:
            start_at = time.time() + 3.0  # every process imported and ready
            stop_at = start_at + windows * window_ms / 1000
            args = [(info, redis_url, start_at, stop_at)] * WORKERS
            return pool.starmap(run_worker, args)
    finally:
        stop.set()
        emulator.join(timeout=30)
        if emulator.is_alive():
            emulator.terminate()


def main() -> None:
    from pipeline.runtime.embedded_redis import EmbeddedRedis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=24)
    parser.add_argument("--window-ms", type=int, default=1000)
    args = parser.parse_args()
    server = None
    redis_url = os.environ.get("BCRM_REDIS_URL")
    if not redis_url:
        server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="bcrm-bench-")))
        server.start()
        redis_url = server.url
    try:
        results = [
            summarise(name, run_scenario(url, args.window_ms, args.windows), args.window_ms)
            for name, url in (("governor", redis_url), ("no governor", None))
        ]
    finally:
        if server is not None:
            server.stop()
    print(f"quota {QUOTA} per {args.window_ms} ms window, {WORKERS} processes x {THREADS} threads")
    print(
        f"{'scenario':<13}{'requests':>9}{'200':>7}{'429':>7}{'other':>7}{'windows':>9}"
        f"{'rate/quota':>12}{'ok/window':>12}"
    )
    for r in results:
        print(
            f"{r.scenario:<13}{r.requests:>9}{r.ok:>7}{r.throttled_429:>7}{r.other_errors:>7}"
            f"{r.windows:>9}{r.achieved_pct:>11.1f}%"
            f"{f'{r.ok_per_window_min}-{r.ok_per_window_max}':>12}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bigcommerce_governor: fleet sharing one store quota (P2)",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "quota": QUOTA,
                "window_ms": args.window_ms,
                "workers": WORKERS,
                "threads_per_worker": THREADS,
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
