"""Business workspaces: one per business object, however many workers race for it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from pipeline.integrations.otcs import NotConfigured, OTCSClient
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import PASSWORD, unique
from tests.otcs_client.fleet import run_fleet

SYSTEM = "BigCommerce"


def _workspaces(emulator: OTCSEmulator, bo_id: str) -> list[dict]:
    return [
        n
        for n in emulator.inventory()["nodes"]
        if n["workspace"] and n["workspace"]["bo_id"] == bo_id
    ]


def test_workspace_type_lookup(client: OTCSClient) -> None:
    order = client.workspace_type(SYSTEM, "ORDER")
    assert (order.id, order.template_id, order.location_id) == (501, 2201, 2100)
    with pytest.raises(NotConfigured):
        client.workspace_type(SYSTEM, "NO_SUCH_TYPE")


def test_ensure_workspace_creates_once(emulator: OTCSEmulator, client: OTCSClient) -> None:
    bo_id = unique("1001")
    assert client.find_workspace(SYSTEM, "ORDER", bo_id) is None
    category = client.category("Commerce Record")
    created = client.ensure_workspace(
        SYSTEM,
        "ORDER",
        bo_id,
        f"Order {bo_id}",
        categories={category.id: category.values({"Order ID": bo_id})},
    )
    assert client.ensure_workspace(SYSTEM, "ORDER", bo_id, f"Order {bo_id}") == created
    found = client.find_workspace(SYSTEM, "ORDER", bo_id)
    assert found is not None and (found.id, found.type, found.name) == (
        created,
        848,
        f"Order {bo_id}",
    )
    assert client.get_categories(created)[category.id]["9100_25"] == bo_id
    assert client.find_child(created, "Invoices") is not None, "template folders are there"
    assert len(_workspaces(emulator, bo_id)) == 1


def test_racing_threads_end_with_one_workspace(emulator: OTCSEmulator, client: OTCSClient) -> None:
    bo_id = unique("2002")
    barrier = Barrier(12)

    def ensure(_: int) -> int:
        barrier.wait(60)
        return client.ensure_workspace(SYSTEM, "ORDER", bo_id, f"Order {bo_id}")

    with ThreadPoolExecutor(12) as pool:
        assert len(set(pool.map(ensure, range(12)))) == 1
    assert len(_workspaces(emulator, bo_id)) == 1


def test_racing_processes_end_with_one_workspace(emulator: OTCSEmulator, scope: str) -> None:
    bo_id = unique("3003")
    args = (SYSTEM, "ORDER", bo_id, f"Order {bo_id}")
    results = run_fleet(emulator.base_url, PASSWORD, scope, "ensure_workspace", args)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert len(_workspaces(emulator, bo_id)) == 1


def test_relating_workspaces_twice_relates_them_once(client: OTCSClient) -> None:
    order = client.ensure_workspace(SYSTEM, "ORDER", unique("2001"), "")
    case = client.ensure_workspace(SYSTEM, "CASE", unique("case"), "")
    client.relate_workspaces(case, order, "parent")
    client.relate_workspaces(case, order, "parent")
    assert client.related_workspaces(case) == [(order, "parent")]
    assert client.related_workspaces(order) == [(case, "child")]
