"""Holds freeze what they cover; cross-references link records, idempotently."""

from __future__ import annotations

import pytest

from pipeline.integrations.otcs import OTCSClient, OTCSRefused, RecordLocked
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import unique


def test_ensure_hold_finds_or_creates(emulator: OTCSEmulator, client: OTCSClient) -> None:
    name = unique("Litigation")
    hold_id = client.ensure_hold(name, "LEGAL", comment="case 42")
    assert client.ensure_hold(name, "LEGAL") == hold_id
    found = client.find_hold(name)
    assert found is not None and (found.id, found.type, found.active) == (hold_id, "LEGAL", True)
    assert [h["HoldName"] for h in emulator.inventory()["holds"]].count(name) == 1


def test_a_bad_hold_type_is_refused_not_retried(client: OTCSClient) -> None:
    with pytest.raises(OTCSRefused):
        client.ensure_hold(unique("hold"), "NO-SUCH-TYPE")


def test_hold_blocks_deletion_until_removed(client: OTCSClient, folder: int) -> None:
    doc = client.create_document(folder, "held.pdf", b"%PDF", "application/pdf").id
    hold_id = client.ensure_hold(unique("Audit"), "AUDIT")
    client.apply_hold(doc, hold_id)
    assert [(h.hold_id, h.direct) for h in client.node_holds(doc)] == [(hold_id, True)]
    with pytest.raises(RecordLocked):
        client.delete_node(doc)
    with pytest.raises(RecordLocked):
        client.add_version(doc, b"%PDF-2", "application/pdf", "held.pdf")
    client.remove_hold(doc, hold_id)
    assert client.node_holds(doc) == []
    client.delete_node(doc)
    assert client.find_child(folder, "held.pdf") is None


def test_hold_on_a_folder_covers_its_documents(client: OTCSClient, folder: int) -> None:
    doc = client.create_document(folder, "inside.pdf", b"%PDF", "application/pdf").id
    hold_id = client.ensure_hold(unique("Case"), "LEGAL")
    client.apply_hold(folder, hold_id)
    assert [(h.hold_id, h.direct) for h in client.node_holds(doc)] == [(hold_id, False)]
    with pytest.raises(RecordLocked):
        client.delete_node(doc)


def test_cross_references_are_idempotent(client: OTCSClient, folder: int) -> None:
    old = client.create_document(folder, "Invoice 1.pdf", b"%PDF-1", "application/pdf").id
    new = client.create_document(folder, "Invoice 1 v2.pdf", b"%PDF-2", "application/pdf").id
    client.add_cross_reference(new, old, "SUPERSEDES", "corrected total")
    client.add_cross_reference(new, old, "SUPERSEDES", "corrected total")
    links = client.cross_references(new)
    assert [(x.xref_type, x.target_id, x.comment) for x in links] == [
        ("SUPERSEDES", old, "corrected total")
    ]
    with pytest.raises(OTCSRefused):
        client.add_cross_reference(new, old, "NO_SUCH_TYPE")


def test_one_hold_on_many_nodes_in_one_call(client: OTCSClient, folder: int) -> None:
    """`applyhold` and `removehold` (S2) and the hold's holders (`/v2/holditems/{id}`):
    what a recall's hold over every record of its orders costs, two calls."""
    docs = [
        client.create_document(folder, f"batch-{n}.pdf", b"%PDF", "application/pdf").id
        for n in range(3)
    ]
    hold_id = client.ensure_hold(unique("Recall"), "LEGAL")
    assert client.held_node_ids(hold_id) == set()
    client.apply_hold_batch(docs[:2], hold_id)
    client.apply_hold_batch(docs[:2], hold_id)
    assert client.held_node_ids(hold_id) == set(docs[:2])
    assert [(h.hold_id, h.direct) for h in client.node_holds(docs[0])] == [(hold_id, True)]
    client.remove_hold_batch(docs[:2], hold_id)
    assert client.held_node_ids(hold_id) == set() and client.node_holds(docs[0]) == []
