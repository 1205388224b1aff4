"""Run one client call from many threads in several worker processes at once.

Processes are spawned (not forked: the emulator's event loop runs in a thread of
the test process) and share the ticket through Redis like real Celery workers.
Everyone is released by one barrier so the calls really overlap.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pipeline.integrations.otcs import OTCSClient, RedisTicketStore
from pipeline.runtime import redis_client

DEADLINE_S = 90.0


def _call(
    base_url: str, password: str, scope: str, method: str, args: tuple[Any, ...], barrier: Any
) -> Any:
    with OTCSClient(
        base_url, "admin", password, ticket_store=RedisTicketStore(redis_client(), scope)
    ) as client:
        barrier.wait(DEADLINE_S)
        try:
            return getattr(client, method)(*args)
        except Exception as error:  # reported to the test, which fails on it
            return f"error: {error!r}"


def _worker(
    base_url: str,
    password: str,
    scope: str,
    method: str,
    args: tuple[Any, ...],
    threads: int,
    barrier: Any,
    results: Any,
) -> None:
    with ThreadPoolExecutor(threads) as pool:
        futures = [
            pool.submit(_call, base_url, password, scope, method, args, barrier)
            for _ in range(threads)
        ]
        for future in futures:
            results.put(future.result())


def run_fleet(
    base_url: str,
    password: str,
    scope: str,
    method: str,
    args: tuple[Any, ...],
    *,
    processes: int = 2,
    threads: int = 5,
    local_threads: int = 5,
) -> list[Any]:
    """Results of `client.<method>(*args)` from processes × threads plus local threads."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes * threads + local_threads)
    results = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(base_url, password, scope, method, args, threads, barrier, results),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    with ThreadPoolExecutor(max(local_threads, 1)) as pool:
        futures = [
            pool.submit(_call, base_url, password, scope, method, args, barrier)
            for _ in range(local_threads)
        ]
        local = [future.result() for future in futures]
    remote = [results.get(timeout=DEADLINE_S) for _ in range(processes * threads)]
    for worker in workers:
        worker.join(DEADLINE_S)
        assert worker.exitcode == 0
    return local + remote
