"""Approvals → publishing end to end: both emulators, the session's Redis, real worker
processes. Makers and approvers are OTCS users of their own; the producer hands approved
change requests to the publish stage, which publishes each once (the store's write log),
refuses what must be refused with a record (never a dead letter), and files one receipt
per change request in its workspace, cross-referenced to the request document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.producer import poll_change_requests, publish_key
from pipeline.flows.approvals.requesting import request_change
from pipeline.runtime import services
from tests.flows.approval_world import ApprovalWorld, approval_world
from tests.support import configured, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    with approval_world(redis_url, Path(tmp_path_factory.mktemp("logs"))) as world:
        yield world


def test_an_approved_price_is_published_once_with_one_receipt(world: ApprovalWorld) -> None:
    product = world.product(0)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    result = world.publish(change)
    assert result["result"] == "published"
    price = Decimal(change.after["price"])
    assert world.client.get_v3(f"/catalog/products/{product['id']}")["price"] == price
    assert [w["body"] for w in world.product_writes(product["id"])] == [{"price": float(price)}]
    assert world.facts(change)["Status"] == "published"
    [receipt] = world.records(change)
    assert receipt["name"].startswith(f"{change.id}-publish-receipt-")
    staged = services.ledger().get(result["receipt"])
    assert staged["state"] == "declared"
    # Published again (a duplicate poll, a redelivery): nothing more is written or filed.
    with configured(world.env):
        poll_change_requests(world.service, world.store_hash)
    assert len(world.product_writes(product["id"])) == 1 and len(world.records(change)) == 1


def test_the_receipt_is_cross_referenced_to_the_request(world: ApprovalWorld) -> None:
    product = world.product(1)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    world.publish(change)
    [receipt] = world.records(change)
    folder = world.service.find_child(world.workspace(change), "Request")
    assert folder is not None
    request = world.service.find_child(folder.id, change_requests.request_document_name(change))
    assert request is not None
    links = world.service.cross_references(receipt["id"])
    assert [(x.xref_type, x.target_id) for x in links] == [("APPROVED_BY", request.id)]


def test_drift_since_approval_is_a_refusal_record_not_a_dead_letter(world: ApprovalWorld) -> None:
    product = world.product(2)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    world.store.change_price(product["id"], 12.34)  # someone edits it in BigCommerce
    result = world.publish(change)
    assert result["result"] == "refused" and result["reason"].startswith("drift")
    facts = world.facts(change)
    assert (facts["Status"], facts["Status Reason"][:5]) == ("refused", "drift")
    [record] = world.records(change)
    assert record["name"].startswith(f"{change.id}-publish-refusal-")
    assert world.product_writes(product["id"]) == []
    assert not [d for d in services.dead_letters().list() if change.id in str(d.args)]


@pytest.mark.parametrize(
    ("decider", "reason"),
    [("maker", "separation of duties"), ("outsider", "not in the approver group")],
)
def test_an_approval_the_audit_trail_does_not_support_is_refused(
    world: ApprovalWorld, decider: str, reason: str
) -> None:
    product = world.product(3 if decider == "maker" else 4)
    change = world.request_price(product["id"])
    world.decide(getattr(world, decider), change)
    result = world.publish(change)
    assert result["result"] == "refused" and reason in result["reason"]
    assert world.product_writes(product["id"]) == []
    assert world.facts(change)["Status"] == "refused"


def test_a_write_whose_answer_is_lost_is_applied_once(world: ApprovalWorld) -> None:
    product = world.product(5)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    world.store.set_faults(lost_answer_rate=1.0, families=["catalog"])
    try:
        result = world.publish(change)
    finally:
        world.store.set_faults()
    assert result["result"] == "published"
    [write] = world.product_writes(product["id"])
    assert write["answered"] is False
    assert len(world.records(change)) == 1


def test_a_large_price_drop_needs_a_second_approver(world: ApprovalWorld) -> None:
    product = world.product(6)
    change = world.request_price(product["id"], "0.5")
    world.decide(world.checker, change)
    result = world.publish(change)
    assert result["result"] == "refused" and "second approver" in result["reason"]
    assert world.product_writes(product["id"]) == []


def bcrm(world: ApprovalWorld, user: str, password: str, *args: str) -> CompletedProcess[str]:
    """`bcrm` as a maker or approver runs it: the OTCS credentials are their own."""
    env = {**os.environ, **world.env, "BCRM_OTCS_USERNAME": user, "BCRM_OTCS_PASSWORD": password}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_commands_request_decide_show_list_and_cancel(world: ApprovalWorld) -> None:
    product = world.product(7)
    live = Decimal(str(product["price"]))
    new = str((live * Decimal("1.1")).quantize(Decimal("0.01")))
    filed = bcrm(world, "mia.maker", "m-pw", "changes", "request", "--store", world.store_hash,
                 "--type", "product_price", "--target", str(product["id"]),
                 "--set", f"price={new}", "--reason", "margin")  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    change_id = filed.stdout.split()[1].rstrip(":")
    shown = bcrm(world, "cy.checker", "c-pw", "changes", "show", change_id, "--json")
    facts = json.loads(shown.stdout)
    assert facts["facts"]["Status"] == "requested" and facts["change"]["after"] == {"price": new}
    assert facts["facts"]["Requested By"] == "mia.maker"
    decided = bcrm(world, "cy.checker", "c-pw", "changes", "decide", change_id, "--approve")
    assert decided.returncode == 0, decided.stderr
    listed = bcrm(world, "cy.checker", "c-pw", "changes", "list", "--status", "approved")
    assert change_id in listed.stdout
    again = bcrm(world, "cy.checker", "c-pw", "changes", "decide", change_id, "--reject")
    assert (
        again.returncode == 2 and again.stderr.startswith("bcrm: ") and "approved" in again.stderr
    )
    cancelled = bcrm(world, "mia.maker", "m-pw", "changes", "cancel", change_id)
    assert cancelled.returncode == 0
    with configured(world.env):
        poll_change_requests(world.service, world.store_hash)
    assert not services.ledger().get(publish_key(world.store_hash, change_id))
    assert world.facts(world_change(world, change_id))["Status"] == "cancelled"
    assert world.product_writes(product["id"]) == []


def world_change(world: ApprovalWorld, change_id: str) -> ChangeRequest:
    return change_requests.read_request(world.service, change_id).change


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--type", "product_price", "--target", "1", "--set", "colour=red"), "no field 'colour'"),
        (("--type", "product_price", "--target", "1", "--set", "price=cheap"), "not a decimal"),
        (("--type", "product_price", "--target", "999999", "--set", "price=1"), "does not exist"),
        (("--type", "price", "--target", "1", "--set", "price=1"), "cannot be requested"),
        (("--type", "product_price", "--target", "1", "--set", "price"), "FIELD=VALUE"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(
    world: ApprovalWorld, args: tuple[str, ...], says: str
) -> None:
    answer = bcrm(world, "mia.maker", "m-pw", "changes", "request", "--store", world.store_hash,
                  *args)  # fmt: skip
    assert answer.returncode == 2, answer.stderr
    assert answer.stderr.startswith("bcrm: ") and says in answer.stderr
    assert answer.stderr.count("\n") == 1


def test_a_wrong_password_is_one_line_and_exit_2(world: ApprovalWorld) -> None:
    answer = bcrm(world, "mia.maker", "nope", "changes", "list")
    assert answer.returncode == 2 and answer.stderr.startswith("bcrm: the ECM refused")


def test_an_expired_approval_is_refused(world: ApprovalWorld) -> None:
    product = world.product(8)
    change = world.request_price(product["id"])
    change_requests.decide(world.checker, change.id, approve=True, valid_days=0)
    result = world.publish(change)
    assert result["result"] == "refused" and result["reason"].startswith("expired")
    assert world.product_writes(product["id"]) == []


def test_a_payload_hash_edited_after_approval_is_refused(world: ApprovalWorld) -> None:
    product = world.product(9)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    definition = world.checker.category("Change Request")
    world.checker.update_category(
        world.workspace(change), definition.id, definition.values({"Payload SHA-256": "0" * 64})
    )
    result = world.publish(change)
    assert result["result"] == "refused" and result["reason"].startswith("payload edited")
    assert world.product_writes(product["id"]) == []


def test_a_request_effective_later_waits(world: ApprovalWorld) -> None:
    product = world.product(10)
    change = request_change(
        world.maker, world.client, world.store_hash, "product_price", f"product/{product['id']}",
        {"price": "1.00"}, effective_from="2999-01-01T00:00:00+00:00",
    )  # fmt: skip
    world.decide(world.checker, change)
    with configured(world.env):
        poll_change_requests(world.service, world.store_hash)
    assert not services.ledger().get(publish_key(world.store_hash, change.id))


def test_a_promotion_and_a_refund_exception_are_created_once(world: ApprovalWorld) -> None:
    rule = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}
    promotion = request_change(
        world.maker, world.client, world.store_hash, "promotion", "promotion",
        {"name": "Spring", "redemption_type": "AUTOMATIC", "rules": json.dumps([rule])},
    )  # fmt: skip
    assert promotion.before is None
    order = world.store.place_order(customer_id=1, products=[{"product_id": 1, "quantity": 1}])
    refund = request_change(
        world.maker, world.client, world.store_hash, "refund_exception", f"order/{order['id']}",
        {"amount": "3.50", "reason": "late delivery, outside the returns window"},
    )  # fmt: skip
    for change in (promotion, refund):
        world.decide(world.checker, change)
        assert world.publish(change)["result"] == "published"
        assert len(world.records(change)) == 1
    posts = [w for w in world.store.applied_writes() if w["method"] == "POST"]
    assert [w["body"]["name"] for w in posts if w["path"] == "/v3/promotions"] == [
        f"Spring [{promotion.id}]"
    ]
    refunds = [w for w in posts if w["path"].endswith("/payment_actions/refunds")]
    assert [w["body"]["reason"] for w in refunds] == [
        f"late delivery, outside the returns window [{refund.id}]"
    ]


def test_a_5xx_storm_is_retried_and_the_change_applied_once(world: ApprovalWorld) -> None:
    product = world.product(11)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    key = publish_key(world.store_hash, change.id)
    world.store.set_faults(error_rate=1.0, error_status=503, families=["catalog"])
    try:
        with configured(world.env):
            poll_change_requests(world.service, world.store_hash)
        wait_for(
            lambda: int(services.ledger().get(key).get("attempts:publish", 0) or 0) >= 2,
            what="the publish stage retried through the storm",
        )
    finally:
        world.store.set_faults()
    assert world.publish(change)["result"] == "published"
    assert len(world.product_writes(product["id"])) == 1
    assert len(world.records(change)) == 1
