"""Folders: exact lookups among substring matches, find-or-create under concurrency."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from pipeline.integrations.otcs import NameCollision, OTCSClient, OTCSRefused, OTCSUnavailable
from pipeline.integrations.otcs.nodes import find_or_create
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import ENTERPRISE, PASSWORD, unique
from tests.otcs_client.fleet import run_fleet


def _children(emulator: OTCSEmulator, parent_id: int) -> list[str]:
    return [n["name"] for n in emulator.inventory()["nodes"] if n["parent_id"] == parent_id]


def test_find_child_is_exact_although_where_name_matches_substrings(
    client: OTCSClient, folder: int
) -> None:
    ids = {
        name: client.create_folder(folder, name) for name in ("Order 10", "Order 1", "Order 100")
    }
    found = client.find_child(folder, "Order 1")
    assert found is not None and found.id == ids["Order 1"]
    assert client.find_child(folder, "order 1") is not None, "names compare case-insensitively"
    assert client.find_child(folder, "Order") is None


def test_find_child_pages_through_large_folders(client: OTCSClient, folder: int) -> None:
    for n in range(105):
        client.create_folder(folder, f"Item {n:03d}")
    found = client.find_child(folder, "Item 104")
    assert found is not None and found.name == "Item 104"


def test_ensure_folder_creates_once(
    emulator: OTCSEmulator, client: OTCSClient, folder: int
) -> None:
    first = client.ensure_folder(folder, "Invoices")
    assert client.ensure_folder(folder, "Invoices") == first
    assert _children(emulator, folder) == ["Invoices"]


def test_ensure_folder_refuses_a_document_of_that_name(client: OTCSClient, folder: int) -> None:
    client.create_document(folder, "Invoices", b"%PDF", "application/pdf")
    with pytest.raises(NameCollision):
        client.ensure_folder(folder, "Invoices")


def test_validate_names_reports_only_taken_names(client: OTCSClient, folder: int) -> None:
    taken = client.create_folder(folder, "Taken")
    assert client.validate_names(folder, ["Taken", "Free"]) == {"Taken": taken}


def test_ensure_folder_from_racing_threads_makes_one_folder(
    emulator: OTCSEmulator, client: OTCSClient, folder: int
) -> None:
    barrier = Barrier(12)

    def ensure(_: int) -> int:
        barrier.wait(60)
        return client.ensure_folder(folder, "Raced")

    with ThreadPoolExecutor(12) as pool:
        ids = set(pool.map(ensure, range(12)))
    assert len(ids) == 1
    assert _children(emulator, folder) == ["Raced"]


def test_ensure_folder_from_racing_processes_makes_one_folder(
    emulator: OTCSEmulator, client: OTCSClient, scope: str
) -> None:
    parent = client.create_folder(ENTERPRISE, unique("parent"))
    results = run_fleet(emulator.base_url, PASSWORD, scope, "ensure_folder", (parent, "Raced"))
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert _children(emulator, parent) == ["Raced"]


def test_ensure_folder_adopts_the_folder_a_racer_created_after_our_lookup(
    emulator: OTCSEmulator, client: OTCSClient, new_client: Callable[..., OTCSClient], folder: int
) -> None:
    racer = new_client()
    created: list[int] = []

    def race_after_first_lookup(
        response: requests.Response, *args: object, **kwargs: object
    ) -> None:
        if response.request.method == "GET" and "/nodes?" in str(response.url) and not created:
            created.append(racer.create_folder(folder, "Contested"))

    client.session.hooks["response"].append(race_after_first_lookup)
    assert client.ensure_folder(folder, "Contested") == created[0]
    assert emulator.request_counters()["POST /v2/nodes"]["status"]["500"] == 1


def test_find_or_create_reports_an_unseen_winner_as_transient() -> None:
    def collide() -> int:
        raise NameCollision(500, "An item with the name 'x' already exists.", "POST /v2/nodes")

    with pytest.raises(OTCSUnavailable):
        find_or_create("x", lambda: None, collide)


def test_find_or_create_reraises_a_refusal_that_was_no_collision() -> None:
    refusal = OTCSRefused(400, "Could not insert into the Hold Disposition table", "POST /v1/holds")

    def refuse() -> int:
        raise refusal

    with pytest.raises(OTCSRefused) as raised:
        find_or_create("hold", lambda: None, refuse, collision=OTCSRefused)
    assert raised.value is refusal
