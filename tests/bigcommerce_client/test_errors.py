"""One error taxonomy: what may pass later is a TransientError, what will not is a
PermanentError carrying the status and the API's own message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from pipeline.core.errors import PermanentError, TransientError
from pipeline.integrations.bigcommerce import (
    AccessDenied,
    BigCommerceClient,
    BigCommerceRefused,
    BigCommerceUnavailable,
    NotFound,
    RateLimited,
)
from sandbox.bigcommerce import BigCommerceEmulator


def test_401_unknown_token(emulator: BigCommerceEmulator) -> None:
    with pytest.raises(AccessDenied) as denied:
        BigCommerceClient(emulator.base_url, "not-a-token", governor=None).store_information()
    assert denied.value.status == 401 and isinstance(denied.value, PermanentError)
    assert "authenticated" in denied.value.message
    assert "not-a-token" not in str(denied.value)


def test_403_other_store_and_missing_scope(emulator: BigCommerceEmulator) -> None:
    elsewhere = emulator.base_url.rsplit("/", 1)[0] + "/otherstore1"
    with pytest.raises(AccessDenied) as wrong_store:
        BigCommerceClient(elsewhere, emulator.access_token, governor=None).store_information()
    assert wrong_store.value.status == 403
    assert wrong_store.value.message == "The token is not valid for this store."
    orders_only = emulator.add_token(scopes=["store_v2_orders_read_only"])["access_token"]
    with pytest.raises(AccessDenied, match="OAuth scope"):
        BigCommerceClient(emulator.base_url, orders_only, governor=None).store_information()


def test_404_in_v2_and_refund_dialects(client: BigCommerceClient) -> None:
    with pytest.raises(NotFound) as v2:
        client.get_order(987_654)
    assert v2.value.message == "The requested resource was not found."
    assert v2.value.route == "GET /v2/orders/987654"
    with pytest.raises(NotFound) as v3:
        client.order_refunds(987_654)
    assert v3.value.message == "The resource at that URL is not found."


def test_422_and_413_carry_the_api_message(client: BigCommerceClient) -> None:
    with pytest.raises(BigCommerceRefused) as invalid:
        client.create_hook("orders", "ftp://example.invalid/hook")
    assert invalid.value.status == 422
    assert invalid.value.message == "JSON data is missing or invalid"
    assert set(invalid.value.errors) == {"scope", "destination"}
    with pytest.raises(BigCommerceRefused) as too_many:
        next(client.iter_orders(limit=251))
    assert too_many.value.status == 413 and "limit" in too_many.value.message


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, TransientError), (503, TransientError), (501, PermanentError), (423, TransientError)],
)
def test_server_errors(
    make_emulator: Callable[..., BigCommerceEmulator], status: int, kind: type[Exception]
) -> None:
    emu = make_emulator(quota=None)
    emu.set_faults(error_rate=1.0, error_status=status, families=["orders"])
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=None)
    with pytest.raises(kind) as failed:
        client.get_order(1)
    assert str(status) in str(failed.value)
    assert client.store_information()["id"]  # other families unaffected


def test_429_without_governor_honours_the_longer_wait(
    make_emulator: Callable[..., BigCommerceEmulator],
) -> None:
    emu = make_emulator(quota=2, window_ms=60_000)
    client = BigCommerceClient(emu.base_url, emu.access_token, governor=None)
    client.store_information()
    client.store_information()
    with pytest.raises(RateLimited) as refused:
        client.store_information()
    assert isinstance(refused.value, TransientError)
    assert refused.value.retry_after == pytest.approx(60, abs=1)


def test_timeouts_and_resets_are_transient(
    make_emulator: Callable[..., BigCommerceEmulator],
) -> None:
    emu = make_emulator(quota=None)
    emu.set_faults(latency={"orders": {"min_ms": 2000, "max_ms": 2000}})
    slow = BigCommerceClient(emu.base_url, emu.access_token, governor=None, timeout_s=0.2)
    with pytest.raises(BigCommerceUnavailable, match="ReadTimeout") as timed_out:
        slow.get_order(1)
    assert emu.access_token not in str(timed_out.value)
    emu.set_faults(reset_rate=1.0)
    with pytest.raises(BigCommerceUnavailable, match="ConnectionError"):
        BigCommerceClient(emu.base_url, emu.access_token, governor=None).get_order(1)


def test_session_and_headers_are_the_clients_own(emulator: BigCommerceEmulator) -> None:
    seen: list[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    with BigCommerceClient(
        emulator.base_url, emulator.access_token, governor=None, session=session
    ) as client:
        client.store_information()
    assert seen[0].headers["X-Auth-Token"] == emulator.access_token
    assert seen[0].headers["Accept"] == "application/json"
