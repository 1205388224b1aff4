"""The store quota: headers on every response, 429 when exhausted, fault modes, and one
shared budget under concurrent clients."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from sandbox.bigcommerce.ratelimit import RateLimiter
from tests.bigcommerce_emulator.conftest import Api
from tests.support import wait_for

RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_fixed_window_counts_down_and_refills() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 30_000, clock=clock)
    lefts = [limiter.take().left for _ in range(3)]
    assert lefts == [2, 1, 0]
    refused = limiter.take()
    assert not refused.allowed and refused.left == 0 and refused.reset_ms == 30_000
    assert refused.headers()["X-Retry-After"] == "30"
    clock.now += 29.5
    assert limiter.take().reset_ms == 500
    clock.now += 0.5
    assert limiter.take().allowed


def test_unlimited_still_sends_headers() -> None:
    decision = RateLimiter(None).take()
    assert decision.allowed and int(decision.headers()["X-Rate-Limit-Requests-Quota"]) > 10**9


def test_headers_on_every_response_including_errors(make_emulator) -> None:
    emu = make_emulator(quota=50, window_ms=60_000)
    with Api(emu.base_url, emu.access_token) as api:
        for path in (
            "/v2/orders",
            "/v2/orders/999999",
            "/v3/catalog/products",
            "/v3/content/pages/999",
        ):
            response = api.get(path)
            assert all(h in response.headers for h in RATE_HEADERS), path
        unauthenticated = requests.get(emu.base_url + "/v2/orders", timeout=10)
        assert all(h in unauthenticated.headers for h in RATE_HEADERS)
        assert api.get("/v2/orders").headers["X-Rate-Limit-Requests-Left"] == "45"


def test_exhausted_quota_is_429_with_reset_and_retry_after(make_emulator) -> None:
    emu = make_emulator(quota=3, window_ms=60_000)
    with Api(emu.base_url, emu.access_token) as api:
        assert [api.get("/v2/orders/1").status_code for _ in range(3)] == [200] * 3
        refused = api.get("/v2/orders/1")
        assert refused.status_code == 429
        assert refused.headers["X-Rate-Limit-Requests-Left"] == "0"
        assert 0 < int(refused.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 60_000
        assert int(refused.headers["X-Retry-After"]) >= 1
        assert refused.json()[0]["status"] == 429
        assert api.get("/v3/catalog/products").status_code == 429


def test_quota_comes_back_after_the_window(make_emulator) -> None:
    emu = make_emulator(quota=2, window_ms=200)
    with Api(emu.base_url, emu.access_token) as api:
        codes = [api.get("/v2/orders/1").status_code for _ in range(3)]
        assert codes[-1] == 429
        wait_for(lambda: api.get("/v2/orders/1").status_code == 200, what="window refill")


def test_concurrent_clients_share_one_budget(make_emulator) -> None:
    emu = make_emulator(quota=40, window_ms=60_000)
    second = emu.add_token()

    def hit(token: str) -> int:
        with Api(emu.base_url, token) as api:
            return api.get("/v2/orders/1").status_code

    tokens = [emu.access_token, second["access_token"]] * 50
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(hit, tokens))
    assert codes.count(200) == 40
    assert codes.count(429) == 60


def test_headerless_429_fault_mode(make_emulator) -> None:
    emu = make_emulator(quota=1, window_ms=60_000)
    emu.set_faults(rate_limit_mode="headerless")
    with Api(emu.base_url, emu.access_token) as api:
        api.get("/v2/orders/1")
        refused = api.get("/v2/orders/1")
        assert refused.status_code == 429
        assert not any(h.lower().startswith("x-rate-limit") for h in refused.headers)
        assert "X-Retry-After" not in refused.headers


def test_rate_limit_surfacing_as_500(make_emulator) -> None:
    emu = make_emulator(quota=1, window_ms=60_000)
    emu.set_faults(rate_limit_mode="as_500")
    with Api(emu.base_url, emu.access_token) as api:
        api.get("/v3/catalog/products")
        refused = api.get("/v3/catalog/products")
        assert refused.status_code == 500
        assert refused.json()["status"] == 500
        assert refused.headers["X-Rate-Limit-Requests-Left"] == "0"


def test_rate_limit_can_be_reconfigured_at_runtime(make_emulator) -> None:
    emu = make_emulator(quota=1, window_ms=60_000)
    with Api(emu.base_url, emu.access_token) as api:
        api.get("/v2/orders/1")
        assert api.get("/v2/orders/1").status_code == 429
        emu.set_rate_limit(quota=None)
        assert api.get("/v2/orders/1").status_code == 200


def test_refusals_tell_the_spent_quota_from_injected_errors(make_emulator) -> None:
    """A header-less 429 looks the same whether the client spent the quota or the platform
    was loaded; the emulator counts the two apart so a test can judge the client."""
    emu = make_emulator(quota=2, window_ms=60_000)
    emu.set_faults(error_rate=1.0, error_status=429)
    with Api(emu.base_url, emu.access_token) as api:
        assert api.get("/v2/orders/1").status_code == 429
        emu.set_faults(rate_limit_mode="headerless")
        assert [api.get("/v2/orders/1").status_code for _ in range(3)] == [200, 429, 429]
        emu.set_faults(rate_limit_mode="as_500")
        assert api.get("/v2/orders/1").status_code == 500
    admin = requests.get(f"{emu.admin_url}/counters/refusals", timeout=10).json()
    assert admin == {"injected 429": 1, "quota headerless": 2, "quota as_500": 1}
    requests.delete(f"{emu.admin_url}/counters", timeout=10)
    assert emu.refusal_counters() == {}
