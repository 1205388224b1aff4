"""Recalls end to end: both emulators, the session's Redis, real worker processes and
`bcrm recalls` as an operator runs it.

A recall of a SKU sold in several archived orders, opened on the command line, must end as
a Recall workspace with its category, the items resolved through the catalog API, the
affected orders found in the archive index, the notice and the affected-orders report (a
PDF with the CSV attached) filed, and every record of every affected order under the
recall's LEGAL hold exactly once; an order placed later is found and held, the report
re-issued; closing keeps the holds, `close --release-holds` releases them.
"""

from __future__ import annotations

import json
import re
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from pipeline.core.names import ecm_name
from pipeline.flows.approvals.change_requests import current_user
from pipeline.flows.commerce.pollers import Checkpoints, poll_orders, poll_refunds
from pipeline.flows.recalls import ecm
from pipeline.flows.recalls.flow import FLOW
from pipeline.flows.recalls.source import RecallSource
from pipeline.flows.recalls.sync import poll
from pipeline.index.models import OrderLine
from pipeline.index.recalls import ORDER, RECALL, Identifiers, Recall
from pipeline.index.rows import DeclaredRecordRow
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import redis_client, services
from tests.commerce_world import World, archived_world, settled
from tests.support import wait_for

pytestmark = pytest.mark.e2e

ORDERS = 14
DECIDER = ("quinn.quality", "q-pw")
NOTICE = b"%PDF-1.4\n% a recall notice\n%%EOF\n"
SOURCE = RecallSource()
HOLD_ROUTES = ["POST /v1/rmclassifications/applyhold", "GET /v2/holditems/{hold_id}",
               "POST /v1/nodes/{id}/holds"]  # fmt: skip


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (
        archived_world(
            redis_url,
            tmp_path_factory.mktemp("logs"),
            ORDERS,
            seed=11,
            settings={"BCRM_FLOWS": "commerce,fulfilment,recalls"},
        ) as archived,
        archived.configured(),
    ):
        archived.ecm.add_user(*DECIDER)
        yield archived


def _most_sold_product(world: World) -> tuple[int, list[int]]:
    """The product in the most archived orders, and those orders."""
    content = services.archive_index().store_content(world.store_hash)
    orders: dict[int, set[int]] = {}
    for order_id, (_, lines) in content.orders.items():
        for line in lines:
            if line.product_id:
                orders.setdefault(int(line.product_id), set()).add(order_id)
    product_id = max(orders, key=lambda p: (len(orders[p]), -p))
    return product_id, sorted(orders[product_id])


def _records(world: World, kind: str, subject_id: str) -> list[DeclaredRecordRow]:
    return services.archive_index().records_of_subject(world.store_hash, kind, subject_id)


def _node(world: World, node_id: int) -> dict[str, Any]:
    return next(n for n in world.ecm.inventory()["nodes"] if n["id"] == node_id)


def _direct_holds(node: dict[str, Any], name: str) -> int:
    return sum(1 for h in node["holds"] if h["hold_name"] == name and h["removable"])


def _order_nodes(world: World, order_ids: list[int]) -> list[int]:
    return [r.ecm_node_id for o in order_ids for r in _records(world, ORDER, str(o))]


def _workspace(world: World, recall_id: str) -> dict[str, Any]:
    name = f"Recall {world.store_hash}-RCL-{recall_id}"
    return next(n for n in world.ecm.inventory()["nodes"] if n["name"] == name)


def _embedded_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated where it is deflated."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            found.append(match.group(1))
    return found


def _bcrm(world: World, *args: str, user: tuple[str, str] | None = None) -> Any:
    if user is None:
        return world.bcrm(*args)
    env = {"BCRM_OTCS_USERNAME": user[0], "BCRM_OTCS_PASSWORD": user[1]}
    saved = dict(world.env)
    world.env.update(env)
    try:
        return world.bcrm(*args)
    finally:
        world.env.clear()
        world.env.update(saved)


@pytest.fixture(scope="module")
def opened(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    product_id, orders = _most_sold_product(world)
    assert len(orders) >= 2, "the seeded store sells no product in two orders"
    sku = world.client.get_v3(f"/catalog/products/{product_id}")["sku"]
    notice = tmp_path_factory.mktemp("files") / "notice.pdf"
    notice.write_bytes(NOTICE)
    answer = world.bcrm(
        "recalls", "open", "--store", world.store_hash, "--sku", sku, "--lot", "L-42",
        "--from", "2000-01-01", "--hazard", "Battery overheats", "--remedy", "Full refund",
        "--notice", str(notice),
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    recall_id = answer.stdout.strip()
    return {"recall_id": recall_id, "product_id": product_id, "orders": orders, "sku": sku}


def _filed(world: World, recall_id: str, orders: list[int], notice: bool = True) -> bool:
    recalls = services.archive_index().recalls
    kinds = {r.kind for r in _records(world, RECALL, recall_id)}
    owed = {"recall_affected_orders", "recall_status_report", *(["recall_notice"] * notice)}
    return (
        recalls.orders(world.store_hash, recall_id) == orders
        and owed <= kinds
        and settled(world.store_hash)
    )


def test_a_recall_opened_on_the_command_line_finds_files_and_holds(
    world: World, opened: dict[str, Any]
) -> None:
    recall_id, orders = opened["recall_id"], opened["orders"]
    wait_for(lambda: _filed(world, recall_id, orders), timeout=240, what="the recall filed")
    recall = services.archive_index().recalls.get(world.store_hash, recall_id)
    assert recall is not None and recall.decided_by is None and recall.identifiers.lots == ("L-42",)
    items = services.archive_index().recalls.items(world.store_hash, recall_id)
    assert (opened["product_id"], 0) in {(i.product_id, i.variant_id) for i in items}

    workspace = _workspace(world, recall_id)
    values = workspace["categories"]["9500"]["values"]
    assert opened["sku"] in values["9500_3"] and values["9500_17"] == "open"
    hold = f"RECALL-{world.store_hash}-{recall_id}"
    assert _direct_holds(workspace, hold) == 1
    nodes = _order_nodes(world, orders)
    assert nodes and all(_direct_holds(_node(world, n), hold) == 1 for n in nodes)

    report = next(
        r for r in _records(world, RECALL, recall_id) if r.kind == "recall_affected_orders"
    )
    pdf = world.otcs.download(report.ecm_node_id)
    assert pdf.startswith(b"%PDF") and b"affected-orders.csv" in pdf
    csv = next(s for s in _embedded_streams(pdf) if s.startswith(b"order_id,order_date"))
    assert {int(row.split(b",")[0]) for row in csv.splitlines()[1:]} == set(orders)
    assert b"@" not in csv  # no e-mail address
    notice = next(r for r in _records(world, RECALL, recall_id) if r.kind == "recall_notice")
    assert world.otcs.download(notice.ecm_node_id) == NOTICE

    attention = FLOW.needs_attention(redis_client(), world.store_hash)
    assert len(attention) == 1 and f"({recall_id})" in attention[0]
    [counter] = FLOW.store_counters(redis_client(), world.store_hash)
    assert counter.values == {recall_id: float(len(orders))}
    shown = world.bcrm("recalls", "show", recall_id)
    assert shown.returncode == 0 and f"affected orders ({len(orders)})" in shown.stdout


def test_separation_of_duties_then_a_decision_by_someone_else(
    world: World, opened: dict[str, Any]
) -> None:
    recall_id = opened["recall_id"]
    by_opener = world.bcrm("recalls", "decide", recall_id)
    assert by_opener.returncode == 2 and "separation of duties" in by_opener.stderr
    decided = _bcrm(world, "recalls", "decide", recall_id, user=DECIDER)
    assert decided.returncode == 0, decided.stderr
    recall = services.archive_index().recalls.get(world.store_hash, recall_id)
    assert recall is not None and recall.decided_by and recall.decided_at
    assert recall.decided_by != recall.opened_by
    assert FLOW.needs_attention(redis_client(), world.store_hash) == []


def test_a_certificate_handed_in_twice_is_filed_once(
    world: World, opened: dict[str, Any], tmp_path: Path
) -> None:
    recall_id = opened["recall_id"]
    certificate = tmp_path / "supplier-certificate.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% certified\n%%EOF\n")
    for _ in range(2):
        answer = world.bcrm("recalls", "attach", recall_id, str(certificate))
        assert answer.returncode == 0, answer.stderr

    def filed() -> list[DeclaredRecordRow]:
        rows = [r for r in _records(world, RECALL, recall_id) if r.kind == "recall_certificate"]
        return rows if rows and settled(world.store_hash) else []

    [record] = wait_for(filed, timeout=240, what="the certificate filed")
    node = _node(world, record.ecm_node_id)
    assert "/Supplier Certifications/" in node["path"] and record.ecm_name.endswith(".pdf")
    listed = world.bcrm("recalls", "list", "--store", world.store_hash, "--json")
    assert listed.returncode == 0 and f'"recall_id": "{recall_id}"' in listed.stdout


def test_an_order_placed_later_is_found_and_held(world: World, opened: dict[str, Any]) -> None:
    recall_id, hold = opened["recall_id"], f"RECALL-{world.store_hash}-{opened['recall_id']}"
    placed = world.store.place_order(
        customer_id=1, products=[{"product_id": opened["product_id"], "quantity": 2}]
    )
    order_id = int(placed["id"])
    # Content Server fails a fifth of the hold calls meanwhile: retried, never doubled.
    world.ecm.set_faults(error_rate=0.34, seed=5, routes=HOLD_ROUTES)
    poll_orders(world.client, Checkpoints(redis_client()), world.store_hash)
    orders = sorted([*opened["orders"], order_id])

    def held() -> bool:
        nodes = _order_nodes(world, [order_id])
        return bool(
            _filed(world, recall_id, orders)
            and nodes
            and all(_direct_holds(_node(world, n), hold) == 1 for n in nodes)
        )

    try:
        wait_for(held, timeout=240, what="the later order found and held")
    finally:
        world.ecm.set_faults(error_rate=0.0)
    reports = [r for r in _records(world, RECALL, recall_id) if r.kind == "recall_affected_orders"]
    assert len(reports) == 2 and reports[-1].supersedes == (reports[0].ecm_node_id,)
    every = _order_nodes(world, orders)
    assert Counter(_direct_holds(_node(world, n), hold) for n in every) == {1: len(every)}
    opened["orders"] = orders


def test_a_record_of_an_affected_order_declared_later_re_issues_the_status_report(
    world: World, opened: dict[str, Any]
) -> None:
    """A shipment of an affected order files new records (held by declare): the recall's
    status report counts the records held, so their declaration asks for the recall's
    fetch, and what the recall owes now (as the demo's inventory asks it) is filed."""
    recall_id = opened["recall_id"]
    order_id = opened["orders"][-1]
    before = len(_records(world, ORDER, str(order_id)))
    world.store.ship(order_id)
    poll_orders(world.client, Checkpoints(redis_client()), world.store_hash)

    def owed_filed() -> bool:
        if len(_records(world, ORDER, str(order_id))) <= before or not settled(world.store_hash):
            return False
        owed = {
            ecm_name(spec) for spec in FLOW.documents_owed(SOURCE.read(world.store_hash, recall_id))
        }
        return owed <= {r.ecm_name for r in _records(world, RECALL, recall_id)}

    wait_for(owed_filed, timeout=240, what="the status report re-issued with the new records")


def test_a_refund_after_the_decision_is_held_and_counted_in_the_status_report(
    world: World, opened: dict[str, Any]
) -> None:
    """A credit note declared after the hold opened carries it (declare asks the index);
    its declaration asks for the recall's fetch, whose status report links it."""
    recall_id, hold = opened["recall_id"], f"RECALL-{world.store_hash}-{opened['recall_id']}"
    order_id = opened["orders"][-1]
    world.store.refund(order_id, reason="recall remedy")
    checkpoints = Checkpoints(redis_client())
    poll_orders(world.client, checkpoints, world.store_hash)
    poll_refunds(world.client, checkpoints, world.store_hash)

    def linked() -> list[DeclaredRecordRow]:
        notes = [r for r in _records(world, ORDER, str(order_id)) if r.kind == "credit_note"]
        if not notes or not settled(world.store_hash):
            return []
        reports = [r for r in _records(world, RECALL, recall_id)
                   if r.kind == "recall_status_report"]  # fmt: skip
        links = {
            (x["xref_type"], x["xref_id"])
            for report in reports
            for x in _node(world, report.ecm_node_id)["xrefs"]
        }
        return notes if ("HAS_REFUND", notes[0].ecm_node_id) in links else []

    [note] = wait_for(linked, timeout=300, what="the refund held and in the status report")
    assert _direct_holds(_node(world, note.ecm_node_id), hold) == 1


def test_close_keeps_the_holds_and_release_takes_them_off(
    world: World, opened: dict[str, Any]
) -> None:
    recall_id, orders = opened["recall_id"], opened["orders"]
    hold = f"RECALL-{world.store_hash}-{recall_id}"
    closed = world.bcrm("recalls", "close", recall_id)
    assert closed.returncode == 0, closed.stderr

    def closeouts(count: int) -> bool:
        kinds = [r.kind for r in _records(world, RECALL, recall_id)]
        return kinds.count("recall_closeout") == count and settled(world.store_hash)

    wait_for(lambda: closeouts(1), timeout=240, what="the closeout filed")
    nodes = _order_nodes(world, orders)
    assert all(_direct_holds(_node(world, n), hold) == 1 for n in nodes)
    assert _direct_holds(_workspace(world, recall_id), hold) == 1

    released = world.bcrm("recalls", "close", recall_id, "--release-holds")
    assert released.returncode == 0, released.stderr
    wait_for(lambda: closeouts(2), timeout=240, what="the second closeout filed")

    def none_held() -> bool:
        inventory = world.ecm.inventory()["nodes"]
        return not any(h["hold_name"] == hold for n in inventory for h in n["holds"])

    wait_for(none_held, timeout=60, what="the recall's hold released everywhere")
    again = world.bcrm("recalls", "close", recall_id, "--release-holds")
    assert again.returncode == 2 and "released" in again.stderr


def test_bad_input_is_one_line(world: World, tmp_path: Path) -> None:
    base = ("recalls", "open", "--store", world.store_hash, "--from", "2026-01-01",
            "--hazard", "h", "--remedy", "r")  # fmt: skip
    nothing = world.bcrm(*base)
    assert nothing.returncode == 2 and nothing.stderr.startswith("bcrm: name what is recalled")
    backwards = world.bcrm(*base, "--sku", "X", "--to", "2025-01-01")
    assert backwards.returncode == 2 and "before --from" in backwards.stderr
    odd = tmp_path / "notice.exe"
    odd.write_bytes(b"MZ")
    refused = world.bcrm(*base, "--sku", "X", "--notice", str(odd))
    assert refused.returncode == 2 and "is not kept" in refused.stderr
    unknown = world.bcrm("recalls", "show", uuid.uuid4().hex[:6])
    assert unknown.returncode == 2 and unknown.stderr.startswith("bcrm: no recall")


def test_a_recall_a_person_opens_in_the_ecm_is_picked_up_by_the_poller(world: World) -> None:
    """Opened in the ECM (workspace and category, as a person), decided there by another:
    the poller saves it with both read from the audit trail, and owes its fetch once."""
    world.ecm.add_user("pia.person", "p-pw")
    person = OTCSClient(world.ecm.base_url, "pia.person", "p-pw")
    decider = OTCSClient(world.ecm.base_url, *DECIDER)
    product_id, orders = _most_sold_product(world)
    sku = world.client.get_v3(f"/catalog/products/{product_id}")["sku"]
    recall_id = f"Q-{uuid.uuid4().hex[:4]}"
    since = datetime(2000, 1, 1, tzinfo=UTC)
    facts = ("Sharp edge", "Repair kit", "medium")
    recall = Recall(world.store_hash, recall_id, Identifiers(skus=(sku,)), since, None, *facts)
    node_id = ecm.file_recall(person, recall)
    assert poll(world.otcs, world.store_hash) >= 1
    wait_for(
        lambda: _filed(world, recall_id, orders, notice=False),
        timeout=240,
        what="the recall opened in the ECM filed",
    )
    saved = services.archive_index().recalls.get(world.store_hash, recall_id)
    person_id = str(current_user(person)[0])
    assert saved is not None and saved.opened_by == person_id and saved.decided_by is None
    assert poll(world.otcs, world.store_hash) == 0  # nothing changed, the same week

    ecm.decide(decider, node_id)
    assert poll(world.otcs, world.store_hash) == 1
    saved = services.archive_index().recalls.get(world.store_hash, recall_id)
    assert saved is not None and saved.decided_by == str(current_user(decider)[0])


def test_a_scan_finds_orders_older_than_the_index_and_holds_them(world: World) -> None:
    """Orders the index has no lines of (archived before it kept them) are read from the
    store by `bcrm recalls scan`, their lines written into the index, and the affected
    one found and held like the rest."""
    index = services.archive_index()
    product_id, orders = _most_sold_product(world)
    oldest = orders[0]
    placed = index.store_content(world.store_hash).orders[oldest][0]
    with index.session() as session, session.begin():
        session.execute(
            delete(OrderLine).where(
                OrderLine.store_hash == world.store_hash, OrderLine.order_date <= placed
            )
        )
    sku = world.client.get_v3(f"/catalog/products/{product_id}")["sku"]
    answer = world.bcrm(
        "recalls", "open", "--store", world.store_hash, "--sku", sku, "--from", "2000-01-01",
        "--hazard", "Loose part", "--remedy", "Replacement",
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    recall_id = answer.stdout.strip()
    rest = orders[1:]
    wait_for(lambda: _filed(world, recall_id, rest, notice=False), timeout=240, what="filed")

    scanned = world.bcrm("recalls", "scan", recall_id, "--since", "2000-01-01")
    assert scanned.returncode == 0, scanned.stderr
    assert "1 affected order(s) found" in scanned.stdout
    hold = f"RECALL-{world.store_hash}-{recall_id}"

    def held() -> bool:
        nodes = _order_nodes(world, [oldest])
        return bool(
            _filed(world, recall_id, orders, notice=False)
            and nodes
            and all(_direct_holds(_node(world, n), hold) == 1 for n in nodes)
        )

    wait_for(held, timeout=240, what="the scanned order found and held")
    recall = index.recalls.get(world.store_hash, recall_id)
    assert recall is not None
    assert oldest in {line.order_id for line in index.recalls.order_lines(recall)}
    rebuilt = world.bcrm("index", "rebuild", "--store", world.store_hash, "--dry-run", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    report = json.loads(rebuilt.stdout)
    recall_keys = {r.record_key for r in _records(world, RECALL, recall_id)}
    assert recall_keys and not recall_keys & set(report["records_removed"])
    assert report["unchanged"], report
