"""The fleet-wide governor against the emulator's real quota: several processes with
several threads each share one store without a single 429, and the quota is used."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
import redis
import requests

from pipeline.integrations.bigcommerce import (
    BigCommerceClient,
    BigCommerceUnavailable,
    RateGovernor,
    RateLimited,
)
from sandbox.bigcommerce import BigCommerceEmulator
from tests.bigcommerce_client.fleet import run_worker

QUOTA = 30
WINDOWS = 10
RESERVE = 1  # ceil(1 % of 30)


def test_processes_share_one_quota_without_429s(
    make_emulator: Callable[..., BigCommerceEmulator], redis_url: str, redis_conn: redis.Redis
) -> None:
    emu = make_emulator(quota=QUOTA, window_ms=500)
    key, budget_key = f"fleet-{uuid.uuid4().hex[:8]}", f"test:budget:{uuid.uuid4().hex}"
    requests_total = WINDOWS * (QUOTA - RESERVE)
    redis_conn.set(budget_key, requests_total)
    args = (emu.base_url, emu.access_token, redis_url, key, budget_key, 6)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        reports = pool.starmap(run_worker, [args] * 4)

    statuses = Counter(s for r in reports for s in r["statuses"])
    assert [e for r in reports for e in r["errors"]] == []
    assert statuses == {200: requests_total}
    assert emu.request_counters()["total"] == requests_total
    # Requests-Left counts down once per window: every window opened shows QUOTA - 1,
    # every window used up to the reserve shows RESERVE. A governor that stopped short of
    # the reserve would fill none; a busy machine may let a window lapse before the
    # clients fill it, so most, not all, must be full.
    lefts = Counter(left for r in reports for left in r["lefts"])
    windows, full = lefts[QUOTA - 1], lefts[RESERVE]
    assert lefts[0] == 0
    assert windows >= WINDOWS
    assert full >= windows // 2


def _spend_quota(emu: BigCommerceEmulator) -> None:
    """Another app on the store uses up the window (the quota is per store, not per app)."""
    other = emu.add_token()["access_token"]
    headers = {"X-Auth-Token": other, "Accept": "application/json"}
    while requests.get(f"{emu.base_url}/v2/store", headers=headers, timeout=10).status_code != 429:
        pass


def test_probe_keeps_a_window_spent_by_another_app(
    make_emulator: Callable[..., BigCommerceEmulator],
    make_governor: Callable[..., RateGovernor],
) -> None:
    emu = make_emulator(quota=20, window_ms=60_000)
    other = emu.add_token()["access_token"]
    headers = {"X-Auth-Token": other, "Accept": "application/json"}
    for _ in range(15):
        requests.get(f"{emu.base_url}/v2/store", headers=headers, timeout=10)
    emu.reset_counters()
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=make_governor(max_wait_s=1))
    outcomes = []
    for _ in range(8):
        try:
            client.store_information()
            outcomes.append("ok")
        except RateLimited as error:
            outcomes.append("governor" if "fleet must wait" in str(error) else "429")
    assert outcomes == ["ok"] * 4 + ["governor"] * 4
    assert emu.request_counters()["total"] == 4


def test_429_pauses_the_fleet_for_the_longer_of_retry_after_and_reset(
    make_emulator: Callable[..., BigCommerceEmulator],
    make_governor: Callable[..., RateGovernor],
) -> None:
    emu = make_emulator(quota=3, window_ms=60_000)
    _spend_quota(emu)
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=make_governor())
    with pytest.raises(RateLimited) as refused:
        client.store_information()
    # X-Retry-After is whole seconds rounded up, so here it is the longer one.
    assert refused.value.retry_after == pytest.approx(60, abs=1)
    emu.reset_counters()
    with pytest.raises(RateLimited) as held:
        make_governor(max_wait_s=5).acquire()
    assert held.value.retry_after > 50
    assert emu.request_counters()["total"] == 0


def test_headerless_429_backs_off_progressively_fleet_wide(
    make_emulator: Callable[..., BigCommerceEmulator],
    make_governor: Callable[..., RateGovernor],
) -> None:
    emu = make_emulator(quota=2, window_ms=60_000)
    _spend_quota(emu)
    emu.set_faults(rate_limit_mode="headerless")
    governor = make_governor(backoff_base_ms=100, backoff_max_ms=300, max_wait_s=10)
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=governor)
    waits = []
    for _ in range(4):
        with pytest.raises(RateLimited) as refused:
            client.store_information()
        waits.append(refused.value.retry_after)
        with pytest.raises(RateLimited):
            make_governor(max_wait_s=0).acquire()  # another process waits too
    assert waits == [0.1, 0.2, 0.3, 0.3]
    emu.set_rate_limit(quota=5, window_ms=60_000)
    assert client.store_information()["id"]  # after the pause, quota is back
    _spend_quota(emu)
    with pytest.raises(RateLimited) as again:
        client.store_information()
    assert again.value.retry_after == 0.1  # a success ended the streak


def test_rate_limit_surfacing_as_500_holds_the_fleet_until_reset(
    make_emulator: Callable[..., BigCommerceEmulator],
    make_governor: Callable[..., RateGovernor],
) -> None:
    emu = make_emulator(quota=3, window_ms=60_000)
    _spend_quota(emu)
    emu.set_faults(rate_limit_mode="as_500")
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=make_governor())
    with pytest.raises(BigCommerceUnavailable) as refused:
        client.store_information()
    assert not isinstance(refused.value, RateLimited)
    assert refused.value.retry_after is not None and refused.value.retry_after > 50
    emu.reset_counters()
    with pytest.raises(RateLimited):
        make_governor(max_wait_s=1).acquire()
    assert emu.request_counters()["total"] == 0


def test_transport_failure_releases_the_probe(
    emulator: BigCommerceEmulator, make_governor: Callable[..., RateGovernor]
) -> None:
    """Without an answer the probe lease is given back at once, not after it expires."""
    dead = BigCommerceClient(
        "http://127.0.0.1:9/stores/x", "token", governor=make_governor(), timeout_s=2
    )
    with pytest.raises(BigCommerceUnavailable):
        dead.store_information()
    live = BigCommerceClient(
        emulator.base_url, emulator.access_token, governor=make_governor(max_wait_s=0)
    )
    assert live.store_information()["id"]


def test_requests_crossing_the_window_reset_are_counted(
    make_emulator: Callable[..., BigCommerceEmulator],
    redis_url: str,
    redis_conn: redis.Redis,
) -> None:
    """A slow server (latency before its quota check, up to nearly a window) takes
    requests sent late in one window into the next; with demand close to the quota, that
    window overflows unless it counts them from the start. Five threads keep demand there."""
    emu = make_emulator(quota=10, window_ms=300)
    emu.set_faults(latency={"orders": {"min_ms": 0, "max_ms": 280}})
    key, budget_key = f"slow-{uuid.uuid4().hex[:8]}", f"test:budget:{uuid.uuid4().hex}"
    redis_conn.set(budget_key, 120)
    report = run_worker(emu.base_url, emu.access_token, redis_url, key, budget_key, 5)
    assert report["errors"] == []
    assert Counter(report["statuses"]) == {200: 120}
    assert emu.request_counters()["total"] == 120
