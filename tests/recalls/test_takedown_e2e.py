"""A recall's storefront takedown end to end: both emulators, the session's Redis, real
worker processes. A decided, open recall owes one takedown change request per product
and variant, filed and approved on the recall's authority by bcrm's service account,
published once (the store's write log), read back, and receipted with its
time-to-takedown evidence; a recall decided by whoever opened it is refused with a
record; while a recall is open, the publish stage's gate refuses putting its items back
on sale."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.celery import app
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.flow import FLOW as APPROVALS
from pipeline.flows.approvals.requesting import request_change
from pipeline.flows.recalls import storefront
from pipeline.flows.recalls.takedown import MESSAGE_LIMIT
from pipeline.runtime import redis_client
from tests.flows.approval_world import ApprovalWorld, approval_world
from tests.recalls.takedown_world import (
    DECIDER,
    OPENER,
    change_id,
    close,
    embedded_record,
    open_recall,
    owe,
    recalls,
    records,
    settled,
    writes,
)
from tests.support import configured, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    with approval_world(redis_url, Path(tmp_path_factory.mktemp("logs"))) as world:
        checker, _ = change_requests.current_user(world.checker)
        world.ecm.add_group("Merchandising Approvers", (checker,))
        yield world


def workspace(world: ApprovalWorld, change_id: str) -> int:
    node = world.service.find_workspace("BigCommerce", "CHANGE_REQUEST", change_id)
    assert node is not None
    return node.id


def product_path(product_id: int, variant_id: int = 0) -> str:
    base = f"/v3/catalog/products/{product_id}"
    return f"{base}/variants/{variant_id}" if variant_id else base


def test_a_decided_recall_takes_its_items_off_sale_once_with_evidence(
    world: ApprovalWorld,
) -> None:
    recall = open_recall(world, [(3, 0), (1, 4)])  # the mug; the T-shirt's M red
    whole, variant = change_id(recall, 3), change_id(recall, 1, 4)
    assert owe(world) == 2
    results = settled(world, [whole, variant])
    assert {r["result"] for r in results.values()} == {"published"}

    product = world.client.get_v3("/catalog/products/3")
    assert (product["availability"], product["is_visible"]) == ("disabled", False)
    shirt = world.client.get_v3("/catalog/products/1/variants/4")
    assert shirt["purchasing_disabled"] is True
    message = shirt["purchasing_disabled_message"]
    assert message.startswith(f"Recalled ({recall.recall_id}): Battery may overheat")
    assert len(message) <= MESSAGE_LIMIT
    assert [w["body"] for w in writes(world, product_path(3))] == [
        {"availability": "disabled", "is_visible": False}
    ]
    assert len(writes(world, product_path(1, 4))) == 1

    # Owed again by the next looks: nothing more is owed, written or filed.
    assert owe(world) == 0
    assert len(writes(world, product_path(3))) == 1
    [receipt] = records(world, whole)
    assert receipt["name"].startswith(f"{whole}-publish-receipt-")
    facts = change_requests.facts_of(world.service, workspace(world, whole))
    assert (facts["Status"], facts["Change Type"]) == ("published", "product_takedown")

    evidence = embedded_record(world, receipt["id"])["takedown"]
    assert (evidence["recall_id"], evidence["target"]) == (recall.recall_id, "product/3")
    assert (evidence["opened_by"], evidence["decided_by"]) == (OPENER, DECIDER)
    decided = datetime.fromisoformat(evidence["decided_at"])
    sent = datetime.fromisoformat(evidence["write_sent_at"])
    answered = datetime.fromisoformat(evidence["write_answered_at"])
    verified = datetime.fromisoformat(evidence["verified_at"])
    assert decided <= sent <= answered <= verified
    assert float(evidence["decision_to_verified_s"]) == pytest.approx(
        (verified - decided).total_seconds(), abs=0.002
    )


def test_an_item_already_off_sale_is_adopted_without_a_write(world: ApprovalWorld) -> None:
    world.client.request(
        "PUT", product_path(5), body={"availability": "disabled", "is_visible": False}
    )
    before = len(writes(world, product_path(5)))
    recall = open_recall(world, [(5, 0)])
    owe(world)
    [result] = settled(world, [change_id(recall, 5)]).values()
    assert result["result"] == "adopted"
    assert len(writes(world, product_path(5))) == before


def test_a_recall_decided_by_its_opener_is_refused_with_a_record(world: ApprovalWorld) -> None:
    recall = open_recall(world, [(6, 0)], decided_by=OPENER)
    owe(world)
    [result] = settled(world, [change_id(recall, 6)]).values()
    assert result["result"] == "refused"
    assert result["reason"].startswith("separation of duties: recall")
    [record] = records(world, change_id(recall, 6))
    assert "-publish-refusal-" in record["name"]
    assert world.client.get_v3("/catalog/products/6")["availability"] == "available"
    assert writes(world, product_path(6)) == []

    # Still on sale: `bcrm status` says so until someone else decides the recall.
    db = redis_client()
    with configured(world.env):
        [found] = storefront.recheck(world.client, recalls(world), db, world.store_hash)
        assert (found.state.target, found.takedown) == ("product/6", "refused")
        [line] = [a for a in APPROVALS.needs_attention(db, world.store_hash) if "product/6" in a]
        assert "still on sale: their takedown was refused" in line
        assert "separation of duties" in line
    decided = replace(
        recall, decided_by=DECIDER, decided_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    recalls(world).save(decided)
    assert owe(world) == 1
    [result] = settled(world, [change_id(decided, 6)]).values()
    assert result["result"] == "published"
    assert world.client.get_v3("/catalog/products/6")["availability"] == "disabled"
    with configured(world.env):
        assert storefront.recheck(world.client, recalls(world), db, world.store_hash) == []


def test_an_undecided_recall_owes_nothing(world: ApprovalWorld) -> None:
    recall = open_recall(world, [(7, 0)], decided_by=None)
    assert owe(world) == 0
    assert (
        world.service.find_workspace("BigCommerce", "CHANGE_REQUEST", change_id(recall, 7)) is None
    )


def launch(world: ApprovalWorld, product_id: int) -> dict:
    change = request_change(
        world.maker, world.client, world.store_hash, "product_launch",
        f"product/{product_id}", {"availability": "available", "is_visible": "true"},
        reason="back on sale",
    )  # fmt: skip
    world.decide(world.checker, change)
    return world.publish(change)


def test_the_gate_refuses_re_enabling_a_recalled_product_until_the_recall_closes(
    world: ApprovalWorld,
) -> None:
    recall = open_recall(world, [(8, 0)])
    owe(world)
    settled(world, [change_id(recall, 8)])
    refused = launch(world, 8)
    assert refused["result"] == "refused"
    assert refused["reason"].startswith(
        f"recall gate: product/8 is under open recall {recall.recall_id}"
    )
    assert world.client.get_v3("/catalog/products/8")["availability"] == "disabled"

    close(world, recall)
    assert launch(world, 8)["result"] == "published"
    product = world.client.get_v3("/catalog/products/8")
    assert (product["availability"], product["is_visible"]) == ("available", True)


def test_the_gate_covers_a_variant_of_a_recalled_product(world: ApprovalWorld) -> None:
    recall = open_recall(world, [(2, 0)])
    owe(world)
    settled(world, [change_id(recall, 2)])
    # Disabled for a stock problem before the recall; a request to sell it again.
    world.client.request("PUT", product_path(2, 13), body={"purchasing_disabled": True})
    change = request_change(
        world.maker, world.client, world.store_hash, "product_takedown",
        "product/2/variant/13", {"purchasing_disabled": "false"}, reason="restocked",
    )  # fmt: skip
    world.decide(world.checker, change)
    result = world.publish(change)
    assert result["result"] == "refused" and result["reason"].startswith("recall gate")


def test_an_item_on_sale_again_is_an_attention_line_and_a_metric(world: ApprovalWorld) -> None:
    recall = open_recall(world, [(4, 0)])
    owe(world)
    settled(world, [change_id(recall, 4)])
    db = redis_client()
    with configured(world.env):
        index = recalls(world)
        assert storefront.recheck(world.client, index, db, world.store_hash) == []
        # Someone puts it back on sale in the control panel.
        world.client.request("PUT", product_path(4), body={"availability": "available"})
        [found] = storefront.recheck(world.client, index, db, world.store_hash)
        assert (found.state.recall_id, found.state.target, found.takedown) == (
            recall.recall_id,
            "product/4",
            "published",
        )
        [line] = [a for a in APPROVALS.needs_attention(db, world.store_hash) if "recall" in a]
        assert f"on sale again while recall {recall.recall_id} is open" in line
        storefront.recheck(world.client, index, db, world.store_hash)  # seen again: counted once
        counters = {c.name: c for c in APPROVALS.store_counters(db, world.store_hash)}
        assert counters[storefront.COUNTER].values[recall.recall_id] == 1.0

        close(world, recall)  # a closed recall's items drop out
        assert storefront.recheck(world.client, index, db, world.store_hash) == []
        assert not [a for a in APPROVALS.needs_attention(db, world.store_hash) if "recall" in a]


def test_a_takedown_whose_answers_are_lost_is_applied_once(world: ApprovalWorld) -> None:
    """Owed twice while the store loses every write's answer: one write per item, one
    receipt each, and the evidence states the lost write's times."""
    recall = open_recall(world, [(9, 0), (1, 7)])
    ids = [change_id(recall, 9), change_id(recall, 1, 7)]
    world.store.set_faults(lost_answer_rate=1.0, families=["catalog"])
    try:
        owe(world)
        owe(world)
        results = settled(world, ids)
    finally:
        world.store.set_faults()
    assert {r["result"] for r in results.values()} == {"published"}
    for path in (product_path(9), product_path(1, 7)):
        [write] = writes(world, path)
        assert write["answered"] is False
    for cid in ids:
        [receipt] = records(world, cid)
        evidence = embedded_record(world, receipt["id"])["takedown"]
        assert evidence["write_sent_at"] and evidence["verified_at"]


def test_beat_s_look_owes_the_takedowns_and_rechecks_the_storefront(world: ApprovalWorld) -> None:
    """`bcrm.control.recall_takedowns`, as beat sends it, on a control worker."""
    recall = open_recall(world, [(10, 0)])
    app.send_task("bcrm.control.recall_takedowns", args=[world.store_hash], queue="control")
    [result] = settled(world, [change_id(recall, 10)]).values()
    assert result["result"] == "published"
    world.client.request("PUT", product_path(10), body={"availability": "preorder"})
    app.send_task("bcrm.control.recall_takedowns", args=[world.store_hash], queue="control")
    db = redis_client()
    wait_for(
        lambda: any(
            f.state.target == "product/10" for f in storefront.found_on_sale(db, world.store_hash)
        ),
        timeout=120,
        what="the look found product/10 on sale again",
    )
    assert len(writes(world, product_path(10))) == 2  # the takedown, and the re-enabling


def test_a_deleted_product_is_one_refusal_record_not_a_dead_letter(world: ApprovalWorld) -> None:
    recall = open_recall(world, [(11, 0)])
    world.client.request("DELETE", product_path(11))
    owe(world)
    [result] = settled(world, [change_id(recall, 11)]).values()
    assert result["result"] == "refused"
    assert result["reason"] == "product/11 is not in the store (deleted): nothing to take down"
    assert owe(world) == 0
    with configured(world.env):
        index = recalls(world)
        [state] = storefront.storefront_state(
            world.client, recall, index.items(world.store_hash, recall.recall_id)
        )
        assert (state.exists, state.on_sale) == (False, False)
        on_sale = storefront.recheck(world.client, index, redis_client(), world.store_hash)
        assert "product/11" not in {f.state.target for f in on_sale}
