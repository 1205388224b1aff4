"""Declare's Content Server calls (issue 18), and its shortcuts against an ECM that someone
else changes: a folder renamed, a folder or a whole workspace deleted, a record already
declared by a person. The stages' own functions run in process against the emulator, the
session's Redis and a fresh archive index (see `world.py`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Subject
from pipeline.flows.commerce.flow import OrderSource
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import DeclaredRecordRow
from pipeline.integrations.otcs import OTCSClient
from pipeline.records.classify import default_plan
from pipeline.records.counterparts import SubjectRegister
from pipeline.runtime import clients, redis_client
from schemas.snapshot import OrderSnapshot
from tests.index.world import IndexWorld, index_world

pytestmark = pytest.mark.e2e

INVOICE = "invoice"
OTHER_FACTS = "0" * 64


@pytest.fixture
def world(index: ArchiveIndex, database_url: str) -> Iterator[IndexWorld]:
    with index_world(index, database_url, uuid.uuid4().hex[:10], orders=4, seed=3) as opened:
        yield opened


def _owed(world: IndexWorld, order_id: int) -> tuple[OrderSnapshot, list[DocumentSpec]]:
    source = OrderSource()
    snapshot = source.read(world.store_hash, str(order_id))
    specs = [s for f in registry.consumers(source.name) for s in f.documents_owed(snapshot)]
    return snapshot, specs


def _node(world: IndexWorld, name: str) -> dict[str, Any]:
    return next(n for n in world.ecm.inventory()["nodes"] if n["name"] == name)


def _named(world: IndexWorld, name: str) -> list[dict[str, Any]]:
    return [n for n in world.ecm.inventory()["nodes"] if n["name"] == name]


def _invoice(world: IndexWorld, order_id: int) -> tuple[OrderSnapshot, DocumentSpec]:
    snapshot, specs = _owed(world, order_id)
    return snapshot, next(s for s in specs if s.kind == INVOICE)


def _new_version(world: IndexWorld, snapshot: OrderSnapshot, spec: DocumentSpec) -> str:
    """The document again with other facts: a new record that supersedes the first."""
    later = replace(spec, fingerprint=OTHER_FACTS)
    world.declare(later, snapshot.to_json_bytes())
    return names.ecm_name(later)


def _supersedes(node: dict[str, Any]) -> list[int]:
    return [x["xref_id"] for x in node["xrefs"] if x["xref_type"] == "SUPERSEDES"]


def _warm_lookups() -> None:
    """What a worker looks up once per process (category, every classification), so a
    test counts only what declaring one order costs."""
    otcs, plan = clients.otcs(), default_plan()
    otcs.category(plan.category)
    for record_class in plan.classes.values():
        otcs.rm_classification_id(record_class.classification)


def test_a_record_costs_three_calls_and_one_per_link(world: IndexWorld) -> None:
    """Upload (with its category), one declaration, the fixity read; one write per link,
    none refused; per order, one workspace search and creation and one folder listing."""
    first, second = world.order_ids()[:2]
    world.archive_order(first)
    _warm_lookups()
    world.ecm.reset_counters()
    world.archive_order(second)

    counters = world.ecm.request_counters()
    assert all(set(c["status"]) == {"200"} for c in counters.values()), counters
    calls = {route: c["count"] for route, c in counters.items()}
    records = len(_owed(world, second)[1])
    prefix = f"order-{second}-"
    nodes = [n for n in world.ecm.inventory()["nodes"] if n["name"].startswith(prefix)]
    links = sum(len(n["xrefs"]) for n in nodes)
    assert links > 0
    assert calls == {
        "GET /v2/businessworkspaces": 1,
        "POST /v2/businessworkspaces": 1,
        "GET /v2/nodes/{id}/nodes": 1,
        "POST /v2/nodes": records,
        "POST /v1/nodes/{id}/rmclassifications": records,
        "GET /v2/nodes/{id}/content": records,
        "POST /v1/nodes/{id}/xrefs": links,
    }


def test_a_renamed_folder_keeps_receiving_its_documents(world: IndexWorld) -> None:
    """The remembered id follows the folder: the next version lands beside the first,
    linked to it, and no second folder of the old name appears."""
    order = world.order_ids()[0]
    world.archive_order(order)
    snapshot, spec = _invoice(world, order)
    first = _node(world, names.ecm_name(spec))
    folder = first["parent_id"]
    world.otcs.request("PUT", f"v2/nodes/{folder}", body={"name": "Invoices (checked)"})

    later = _node(world, _new_version(world, snapshot, spec))

    assert later["parent_id"] == folder
    assert _supersedes(later) == [first["id"]]
    workspace = _node(world, f"Order {world.store_hash}-{order}")
    old_name = default_plan().classes[INVOICE].folder
    assert not [n for n in _named(world, old_name) if n["parent_id"] == workspace["id"]]


def test_a_deleted_folder_is_made_again(world: IndexWorld) -> None:
    """An administrator purged the folder (records and all): the remembered id answers
    "not found", is forgotten, and the folder is made again; the purged version cannot be
    linked to and is skipped."""
    order = world.order_ids()[0]
    world.archive_order(order)
    snapshot, spec = _invoice(world, order)
    first = _node(world, names.ecm_name(spec))
    requests.delete(f"{world.ecm.admin_url}/nodes/{first['parent_id']}", timeout=30)

    later = _node(world, _new_version(world, snapshot, spec))

    assert later["parent_id"] != first["parent_id"]
    assert later["path"].split("/")[-2] == default_plan().classes[INVOICE].folder
    assert later["classification"]["official"] is True
    assert _supersedes(later) == []


def test_a_deleted_workspace_is_found_or_made_again(world: IndexWorld) -> None:
    order = world.order_ids()[0]
    world.archive_order(order)
    snapshot, spec = _invoice(world, order)
    workspace = _node(world, f"Order {world.store_hash}-{order}")
    requests.delete(f"{world.ecm.admin_url}/nodes/{workspace['id']}", timeout=30)

    later = _node(world, _new_version(world, snapshot, spec))

    again = _node(world, f"Order {world.store_hash}-{order}")
    assert again["id"] != workspace["id"]
    assert later["path"].startswith(again["path"] + "/")


def test_a_record_a_person_declared_first_is_adopted_unchanged(world: IndexWorld) -> None:
    """A person filed the invoice under its name and declared it: declare adopts their
    node (no upload over it, no new version) and reports the hash the ECM holds."""
    order = world.order_ids()[0]
    _, spec = _invoice(world, order)
    world.ecm.add_user("clerk", "clerk-pw")
    with OTCSClient(world.ecm.base_url, "clerk", "clerk-pw") as clerk:
        bo_id = f"{world.store_hash}-{order}"
        workspace = clerk.ensure_workspace("BigCommerce", "ORDER", bo_id, f"Order {bo_id}")
        folder = clerk.find_child(workspace, default_plan().classes[INVOICE].folder)
        assert folder is not None
        scanned = b"%PDF-1.7 scanned by the clerk %%EOF"
        theirs = clerk.create_document(folder.id, names.ecm_name(spec), scanned, "application/pdf")
        record_class = default_plan().classes[INVOICE]
        clerk.classify_record(theirs.id, clerk.rm_classification_id(record_class.classification))

    world.archive_order(order)

    node = _node(world, names.ecm_name(spec))
    assert node["id"] == theirs.id
    assert [v["sha256"] for v in node["versions"]] == [hashlib.sha256(scanned).hexdigest()]
    assert node["classification"]["official"] is True
    row = world.index.record(names.record_key(spec))
    assert row is not None
    assert (row.ecm_node_id, row.sha256) == (theirs.id, hashlib.sha256(scanned).hexdigest())


def test_of_two_records_filed_together_exactly_one_links_them() -> None:
    """The register decides: the one registered second finds the first, on every retry
    too; an index row the register no longer holds counts as filed before."""
    register = SubjectRegister(redis_client(), uuid.uuid4().hex[:16])
    spec = DocumentSpec("commerce", INVOICE, "s1", Subject("order", "1"), None, "f" * 64)
    assert register.filed_before(spec, 11, "order-1-invoice-aaaa.pdf", []) == []
    second = register.filed_before(spec, 12, "order-1-record-bbbb.pdf", [])
    assert [c.node_id for c in second] == [11]
    assert register.filed_before(spec, 11, "order-1-invoice-aaaa.pdf", []) == []
    old_row = DeclaredRecordRow(
        "s1/order-1-invoice/old", "commerce", INVOICE, "s1", "order", "1", None,
        "order-1-invoice-old.pdf", 5, "0" * 64, date(2026, 1, 1), datetime.now(UTC),
        "BCRM-FIN-INV", "1",
    )  # fmt: skip
    again = register.filed_before(spec, 12, "order-1-record-bbbb.pdf", [old_row])
    assert [c.node_id for c in again] == [5, 11]
