"""Changes made outside the workflow, end to end: both emulators, the session's Redis, real
worker processes. Looks at the governed fields are owed the way beat owes them; a direct
change is one unapproved change record in the product's workspace however often it is
looked at, a published change is none, and where `approvals.toml` reverts (product prices
here) the revert is a change request of bcrm's own, published once with its receipt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from prometheus_client import generate_latest

from pipeline.core.canvas import OwedUnit
from pipeline.core.redrive import find_stalled, redrive
from pipeline.flows.approvals import change_requests, observed
from pipeline.flows.approvals.change_request import ChangeRequest, canonical
from pipeline.flows.approvals.policy import DEFAULT_APPROVALS_FILE
from pipeline.flows.approvals.producer import publish_key
from pipeline.flows.approvals.reverting import revert_id
from pipeline.flows.approvals.unapproved import UnapprovedChange
from pipeline.flows.approvals.watch import FETCH_WATCH_TASK, enqueue_watch, watch_ref
from pipeline.ops.metrics import fleet_registry
from pipeline.runtime import redis_client, services
from tests.flows.approval_world import ApprovalWorld, approval_world
from tests.support import configured, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    folder = Path(tmp_path_factory.mktemp("policy"))
    policy = folder / "approvals.toml"
    shipped = DEFAULT_APPROVALS_FILE.read_text()
    section = "[types.product_price]\n"
    policy.write_text(shipped.replace(section, section + "revert_unapproved = true\n"))
    env = {"BCRM_APPROVALS_FILE": str(policy)}
    with approval_world(redis_url, folder / "logs", env) as world:
        yield world


def look(world: ApprovalWorld) -> None:
    """One look, owed as beat owes it, and every record it owed declared."""
    event = uuid.uuid4().hex
    with configured(world.env):
        enqueue_watch(world.store_hash, "test", event)
    key = watch_ref(world.store_hash, "test", event)["record_key"]
    ledger = services.ledger()
    done = wait_for(lambda: ledger.get(key).get("done:fetch"), timeout=120, what="the look")
    for record in json.loads(done)["documents"]:
        wait_for(
            lambda record=record: ledger.get(record).get("state") == "declared",
            timeout=120,
            what=f"{record} declared",
        )


def unapproved_records(world: ApprovalWorld, product_id: int) -> list[dict]:
    folder = f"Product {world.store_hash}-{product_id}/Unapproved Changes/"
    return [n for n in world.ecm.inventory()["nodes"] if folder in n["path"]]


def changes_of(world: ApprovalWorld, target: str) -> list[UnapprovedChange]:
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    return [c for c in observed.every_change(db, world.store_hash) if c.target == target]


def bcrm(world: ApprovalWorld, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        env={**os.environ, **world.env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_direct_price_change_is_one_record_and_reverted_once(world: ApprovalWorld) -> None:
    look(world)  # the baseline
    product = world.product(0)
    world.store.change_price(product["id"], 123.45)  # in the control panel
    for _ in range(3):
        look(world)
    [record] = unapproved_records(world, product["id"])
    assert record["name"].startswith(f"unapproved-change-product-{product['id']}-1-")
    assert record["classification"]["rsi"] == "BCRM-GOV-APR"
    [change] = changes_of(world, f"product/{product['id']}")
    assert change.after == {"price": "123.45"}
    revert = revert_id(change)
    ledger = services.ledger()
    wait_for(
        lambda: ledger.get(publish_key(world.store_hash, revert)).get("done:publish"),
        timeout=120,
        what="the revert published",
    )
    live = world.client.get_v3(f"/catalog/products/{product['id']}")["price"]
    assert live == Decimal(str(product["price"]))
    assert [w["body"] for w in world.product_writes(product["id"])] == [
        {"price": float(product["price"])}
    ]
    node = world.service.find_workspace("BigCommerce", "CHANGE_REQUEST", revert)
    assert node is not None
    look(world)  # the restored price is no one's change
    assert len(changes_of(world, f"product/{product['id']}")) == 1
    assert len(unapproved_records(world, product["id"])) == 1
    assert len(world.product_writes(product["id"])) == 1
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    assert observed.pending(db, world.store_hash) == []  # its record declared: owed no more
    scraped = generate_latest(fleet_registry(db, (world.store_hash,))).decode()
    line = f'bcrm_unapproved_changes_total{{field="price",store="{world.store_hash}"}} 1.0'
    assert line in scraped


def test_a_published_change_is_no_unapproved_change(world: ApprovalWorld) -> None:
    look(world)
    product = world.product(1)
    change = world.request_price(product["id"])
    world.decide(world.checker, change)
    assert world.publish(change)["result"] == "published"
    look(world)
    look(world)
    assert changes_of(world, f"product/{product['id']}") == []
    assert unapproved_records(world, product["id"]) == []
    assert len(world.product_writes(product["id"])) == 1


def test_an_unreverted_change_needs_attention_until_acknowledged(world: ApprovalWorld) -> None:
    look(world)
    product = world.product(2)
    path = f"/v3/catalog/products/{product['id']}"
    world.client.request("PUT", path, body={"is_visible": False})  # another app's write
    look(world)
    look(world)
    assert len(unapproved_records(world, product["id"])) == 1
    [change] = changes_of(world, f"product/{product['id']}")
    assert change.change_type == "product_takedown"  # not reverted by this policy
    status = json.loads(bcrm(world, "status", "--json").stdout)
    found = [f for f in status["attention"].values() if "unapproved change" in f]
    assert found and world.store_hash in found[0]
    listed = bcrm(world, "changes", "unapproved", "--store", world.store_hash)
    assert change.id in listed.stdout and "open" in listed.stdout
    acked = bcrm(world, "changes", "acknowledge", change.id, "--store", world.store_hash,
                 "--by", "rita.records")  # fmt: skip
    assert acked.returncode == 0, acked.stderr
    status = json.loads(bcrm(world, "status", "--json").stdout)
    assert not [f for f in status["attention"].values() if "unapproved change" in f]
    unknown = bcrm(world, "changes", "acknowledge", "product-0-9", "--store", world.store_hash,
                   "--by", "rita.records")  # fmt: skip
    assert unknown.returncode == 2 and unknown.stderr.startswith("bcrm: no unapproved change")


def test_a_look_whose_message_was_lost_is_re_driven_and_files_once(world: ApprovalWorld) -> None:
    look(world)
    product = world.product(3)
    path = f"/v3/catalog/products/{product['id']}"
    world.client.request("PUT", path, body={"availability": "disabled"})
    ref = watch_ref(world.store_hash, "test", uuid.uuid4().hex)
    with configured(world.env):
        ledger, client = services.ledger(), redis_client()
        unit = OwedUnit(ref["record_key"], "approvals", FETCH_WATCH_TASK, [ref])
        ledger.owe(unit.record_key, unit.flow, unit.task_name, unit.args, "fetched")
        # Owed, and its message gone before any worker saw it (kombu#305).
        stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key == unit.record_key]
        assert [s.next_task for s in stalled] == [FETCH_WATCH_TASK]
        assert redrive(stalled) == 1
    wait_for(lambda: ledger.get(unit.record_key).get("done:fetch"), what="the re-driven look")
    look(world)
    assert len(unapproved_records(world, product["id"])) == 1
    [change] = changes_of(world, f"product/{product['id']}")
    assert change.after == {"availability": "disabled"}


def test_a_revert_filed_by_anyone_but_bcrm_is_not_trusted(world: ApprovalWorld) -> None:
    product = world.product(4)
    live = {"price": canonical(product["price"])}
    forged = ChangeRequest(
        f"{world.store_hash}-CR-Rforged0001", world.store_hash, "product_price",
        f"product/{product['id']}", {"price": "1.00"}, live,
        reason="revert of unapproved change product-1-1",
    )  # fmt: skip
    # A maker files what looks like bcrm's own revert, approved at creation.
    change_requests.file_system_request(world.maker, forged, 14, "looks like a revert")
    result = world.publish(forged)
    assert result["result"] == "refused" and "audit trail" in result["reason"]
    assert world.product_writes(product["id"]) == []
