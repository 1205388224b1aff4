"""A worker process of a test fleet: threads sharing one store through one governor key.

Spawned by the governor tests; module-level so `multiprocessing` can import it by name.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
import requests

from pipeline.integrations.bigcommerce import BigCommerceClient, RateGovernor


def recording_session(statuses: list[int], lefts: list[int]) -> requests.Session:
    """A session that notes every answer's status and `Requests-Left`, as a proxy would."""
    session = requests.Session()

    def note(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        statuses.append(response.status_code)
        left = response.headers.get("X-Rate-Limit-Requests-Left")
        if response.status_code < 400 and left is not None:
            lefts.append(int(left))

    session.hooks["response"].append(note)
    return session


def run_worker(
    base_url: str, token: str, redis_url: str, key: str, budget_key: str, threads: int
) -> dict[str, list[Any]]:
    """Send requests until the fleet's shared budget is spent; report what came back.

    Within one server window each `Requests-Left` value occurs once, so the values tell
    how full each window was without looking at a clock.
    """
    conn = redis.Redis.from_url(redis_url)
    governor = RateGovernor(conn, key, guard_ms=30, max_wait_s=30)

    def loop(n: int) -> tuple[list[int], list[int], list[str]]:
        statuses: list[int] = []
        lefts: list[int] = []
        errors: list[str] = []
        session = recording_session(statuses, lefts)
        with BigCommerceClient(base_url, token, governor=governor, session=session) as client:
            while conn.decr(budget_key) >= 0:
                try:
                    client.get_order(1 + n % 5, include=())
                except Exception as error:
                    errors.append(f"{type(error).__name__}: {error}")
        return statuses, lefts, errors

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(loop, range(threads)))
    return {
        "statuses": [s for statuses, _, _ in results for s in statuses],
        "lefts": [left for _, lefts, _ in results for left in lefts],
        "errors": [e for _, _, errors in results for e in errors],
    }
