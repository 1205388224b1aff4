"""Tickets: lazy login, one transparent re-login on expiry, no login storms."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from pipeline.core.errors import PermanentError, TransientError
from pipeline.integrations.otcs import (
    AuthenticationFailed,
    OTCSClient,
    TicketRejected,
    account_scope,
    fleet_client,
)
from pipeline.runtime import redis_client
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import ENTERPRISE, PASSWORD, logins, redis_store
from tests.otcs_client.fleet import run_fleet


def test_logs_in_once_and_reuses_the_ticket(emulator: OTCSEmulator, client: OTCSClient) -> None:
    assert logins(emulator) == 0
    for _ in range(3):
        assert client.node(ENTERPRISE).name == "Enterprise Workspace"
    assert logins(emulator) == 1


def test_expired_ticket_costs_exactly_one_relogin(
    emulator: OTCSEmulator, client: OTCSClient
) -> None:
    client.node(ENTERPRISE)
    emulator.expire_tickets()
    assert client.node(ENTERPRISE).id == ENTERPRISE
    assert client.node(ENTERPRISE).id == ENTERPRISE
    assert logins(emulator) == 2
    assert emulator.request_counters()["GET /v2/nodes/{id}"]["status"] == {"200": 3, "401": 1}


def test_wrong_password_is_permanent(emulator: OTCSEmulator) -> None:
    client = OTCSClient(emulator.base_url, "admin", "wrong")
    with client, pytest.raises(AuthenticationFailed) as failure:
        client.node(ENTERPRISE)
    assert isinstance(failure.value, PermanentError)
    assert "wrong" not in str(failure.value)


def test_still_401_after_relogin_is_transient() -> None:
    with OTCSEmulator(password=PASSWORD, ticket_idle_s=0) as emulator:
        client = OTCSClient(emulator.base_url, "admin", PASSWORD)
        with client, pytest.raises(TicketRejected) as failure:
            client.node(ENTERPRISE)
        assert isinstance(failure.value, TransientError)
        assert logins(emulator) == 2, "the first login and exactly one re-login, no loop"


def _storm(clients: list[OTCSClient]) -> list[int]:
    barrier = Barrier(len(clients))

    def call(client: OTCSClient) -> int:
        barrier.wait(60)
        return client.node(ENTERPRISE).id

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(call, clients))


def test_threads_sharing_one_client_relogin_once(
    emulator: OTCSEmulator, client: OTCSClient
) -> None:
    client.node(ENTERPRISE)
    emulator.expire_tickets()
    assert _storm([client] * 20) == [ENTERPRISE] * 20
    assert logins(emulator) == 2


def test_clients_sharing_a_redis_store_relogin_once(
    emulator: OTCSEmulator, new_client: Callable[..., OTCSClient], scope: str
) -> None:
    clients = [new_client(redis_store(scope)) for _ in range(20)]
    clients[0].node(ENTERPRISE)
    assert _storm(clients) == [ENTERPRISE] * 20
    assert logins(emulator) == 1, "the first login is shared through Redis"
    emulator.expire_tickets()
    assert _storm(clients) == [ENTERPRISE] * 20
    assert logins(emulator) == 2


def test_login_storm_across_processes(
    emulator: OTCSEmulator, new_client: Callable[..., OTCSClient], scope: str
) -> None:
    new_client(redis_store(scope)).node(ENTERPRISE)
    emulator.expire_tickets()
    results = run_fleet(
        emulator.base_url, PASSWORD, scope, "node", (ENTERPRISE,), processes=2, threads=8
    )
    assert len(results) == 2 * 8 + 5
    assert all(getattr(r, "id", r) == ENTERPRISE for r in results), results
    assert logins(emulator) == 2


def test_fleet_clients_of_one_account_share_a_ticket(emulator: OTCSEmulator) -> None:
    first = fleet_client(emulator.base_url, "admin", PASSWORD)
    second = fleet_client(emulator.base_url, "admin", PASSWORD)
    scope = account_scope(emulator.base_url, "admin")
    assert scope == account_scope(emulator.base_url + "/", "ADMIN")
    assert scope != account_scope(emulator.base_url.replace("127.0.0.1", "localhost"), "admin")
    try:
        assert first.node(ENTERPRISE).id == second.node(ENTERPRISE).id == ENTERPRISE
        assert logins(emulator) == 1
    finally:
        store = redis_store(scope)
        redis_client().delete(store.ticket_key, store.lock_key)
        first.close()
        second.close()


def test_a_login_lock_left_by_a_dead_worker_expires(
    emulator: OTCSEmulator, new_client: Callable[..., OTCSClient], scope: str
) -> None:
    store = redis_store(scope)
    redis_client().set(store.lock_key, "dead-worker", px=300)
    assert new_client(store).node(ENTERPRISE).id == ENTERPRISE
    assert logins(emulator) == 1


def test_a_failed_login_releases_the_lock(emulator: OTCSEmulator, scope: str) -> None:
    store = redis_store(scope)
    client = OTCSClient(emulator.base_url, "admin", "wrong", ticket_store=store)
    with client, pytest.raises(AuthenticationFailed):
        client.node(ENTERPRISE)
    assert redis_client().get(store.lock_key) is None
    assert store.current() is None
