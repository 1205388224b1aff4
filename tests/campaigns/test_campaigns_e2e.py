"""Campaigns end to end: both emulators, the session's Redis, real worker processes. A
campaign is filed by a marketer and approved by someone in the approver group in the
ECM, read back into the archive index by the ECM poll; looks at the store's promotions
are owed the way beat owes them. Every distinct promotion version is one record, each
failed check one exception record, however often the store is looked at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from pipeline.flows.approvals import observed
from pipeline.flows.campaigns import ecm_poll, memory, scheduling, workspace
from pipeline.flows.campaigns.checks import (
    ABOVE_MAX_DISCOUNT,
    CHANGED_AFTER_APPROVAL,
    CREATED_OUTSIDE_WORKFLOW,
    OUTSIDE_COUNTRIES,
    UNAPPROVED_LIVE,
)
from pipeline.flows.campaigns.flow import FLOW
from pipeline.flows.campaigns.items import CampaignException, PromotionVersion
from pipeline.flows.campaigns.look import enqueue_look, look_ref
from pipeline.flows.campaigns.offers import read_promotion
from pipeline.flows.campaigns.workspace import Scope
from pipeline.runtime import services
from tests.flows.approval_world import ApprovalWorld, approval_world
from tests.support import configured, wait_for

pytestmark = pytest.mark.e2e
FLOWS = "commerce,fulfilment,approvals,campaigns"


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    folder = Path(tmp_path_factory.mktemp("campaigns"))
    with approval_world(redis_url, folder / "logs", {"BCRM_FLOWS": FLOWS}) as world:
        yield world


def look(world: ApprovalWorld) -> list[str]:
    """One look, owed as beat owes it, and every record it owed declared; their keys."""
    event = uuid.uuid4().hex
    with configured(world.env):
        enqueue_look(world.store_hash, "test", event)
    key = look_ref(world.store_hash, "test", event)["record_key"]
    ledger = services.ledger()
    done = wait_for(lambda: ledger.get(key).get("done:fetch"), timeout=120, what="the look")
    records = json.loads(done)["documents"]
    for record in records:
        wait_for(
            lambda record=record: ledger.get(record).get("state") == "declared",
            timeout=120,
            what=f"{record} declared",
        )
    return list(records)


def poll_ecm(world: ApprovalWorld) -> None:
    with configured(world.env):
        ecm_poll.poll_campaigns(world.service, services.archive_index().campaigns, world.store_hash)


def filed(world: ApprovalWorld, workspace_name: str, folder: str) -> list[str]:
    marker = f"{workspace_name}/{folder}/"
    return sorted(n["name"] for n in world.ecm.inventory()["nodes"] if marker in n["path"])


def exceptions(world: ApprovalWorld, subject: str) -> list[CampaignException]:
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    return [
        i
        for i in memory.every_item(db, world.store_hash)
        if isinstance(i, CampaignException) and i.subject == subject
    ]


def versions(world: ApprovalWorld, subject: str) -> list[PromotionVersion]:
    """The promotion's versions in the order they were seen."""
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    found = [v for v in memory.versions(db, world.store_hash) if v.subject == subject]
    return sorted(found, key=lambda v: v.number)


def percent_rule(pct: str) -> list[dict]:
    return [{"action": {"cart_value": {"discount": {"percentage_amount": pct}}}}]


def new_promotion(world: ApprovalWorld, name: str, pct: str, **extra: object) -> str:
    now = datetime.now(UTC)
    created = world.store.control.create_promotion(
        name=name,
        redemption_type="AUTOMATIC",
        rules=percent_rule(pct),
        start_date=(now - timedelta(hours=1)).isoformat(),
        end_date=(now + timedelta(days=2)).isoformat(),
        **extra,
    )
    return str(created["id"])


def set_rules(world: ApprovalWorld, promotion_id: str, pct: str) -> None:
    world.client.request("PUT", f"/v3/promotions/{promotion_id}", body={"rules": percent_rule(pct)})


def test_an_approved_campaign_its_versions_and_each_exception_once(world: ApprovalWorld) -> None:
    store = world.store_hash
    approved_id = new_promotion(world, "Winter sale", "10")
    subject = f"promotion/{approved_id}"
    now = datetime.now(UTC)
    fingerprint = read_promotion(world.client, int(approved_id)).approval_fingerprint
    scope = Scope(
        store,
        workspace.next_campaign_id(world.maker, store),
        "Winter sale",
        (now - timedelta(days=1)).isoformat(),
        (now + timedelta(days=3)).isoformat(),
        promotions={subject: fingerprint},
        countries=("DE",),
        max_discount_percent="15",
    )
    workspace.file_campaign(world.maker, scope)
    workspace.decide(world.checker, store, scope.campaign_id, approve=True)
    poll_ecm(world)
    with configured(world.env):
        saved = services.archive_index().campaigns.get(store, scope.campaign_id)
    assert saved is not None and saved.approved and saved.decided_by is not None
    assert saved.approved_fingerprints == {subject: fingerprint}

    look(world)
    home = workspace.workspace_name(scope.bo_id)
    assert len(filed(world, home, "Promotion Versions")) == 1
    # Approved, live, within its window: only the scope's countries fail (it ships anywhere).
    assert [e.check for e in exceptions(world, subject)] == [OUTSIDE_COUNTRIES]
    # The seeded promotions belong to no campaign: their versions are the store's unlinked.
    unlinked = f"Unlinked Promotions {store}"
    seeded_versions = filed(world, unlinked, "Promotion Versions")
    assert seeded_versions

    # Made in the control panel, linked to nothing, live: two exceptions, once each.
    rogue = new_promotion(world, "Flash 40", "40")
    world.store.store.promotions[int(rogue)]["created_from"] = (
        "react_ui"  # prices helper: admin route
    )
    look(world)
    look(world)
    rogue_checks = sorted(e.check for e in exceptions(world, f"promotion/{rogue}"))
    assert rogue_checks == [CREATED_OUTSIDE_WORKFLOW, UNAPPROVED_LIVE]
    assert len(filed(world, unlinked, "Exceptions")) >= 2

    # Widened beyond its approval: a new version superseding the first, two exceptions.
    set_rules(world, approved_id, "25")
    look(world)
    assert len(versions(world, subject)) == 2
    # The look read the promotions for flow 3's watch too: the rules change is its
    # unapproved change, which the watch's next look files.
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    [unapproved] = [c for c in observed.every_change(db, store) if c.target == subject]
    assert sorted(unapproved.after) == ["rules"]
    widened = sorted(e.check for e in exceptions(world, subject))
    # (the countries check fails again: it is found per version)
    assert widened == sorted(
        [ABOVE_MAX_DISCOUNT, CHANGED_AFTER_APPROVAL, OUTSIDE_COUNTRIES, OUTSIDE_COUNTRIES]
    )
    # Back to the approved version: nothing new is filed (its record exists), nothing found.
    set_rules(world, approved_id, "10")
    look(world)
    assert len(versions(world, subject)) == 2
    assert len(exceptions(world, subject)) == 4
    assert len(filed(world, home, "Promotion Versions")) == 2
    assert len(filed(world, home, "Exceptions")) == 4

    # Closed: one closeout with the final usage counter read from the store.
    workspace.close(world.maker, store, scope.campaign_id, datetime.now(UTC))
    poll_ecm(world)
    look(world)
    look(world)
    assert len(filed(world, home, "Closeout")) == 1

    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    lines = FLOW.needs_attention(db, store)
    assert any(UNAPPROVED_LIVE in line for line in lines)
    [counter] = FLOW.store_counters(db, store)
    assert counter.values[CREATED_OUTSIDE_WORKFLOW] == 1.0
    assert counter.values[ABOVE_MAX_DISCOUNT] == 1.0


def test_an_approval_by_the_requester_does_not_stand(world: ApprovalWorld) -> None:
    store = world.store_hash
    now = datetime.now(UTC)
    scope = Scope(
        store,
        workspace.next_campaign_id(world.maker, store),
        "Self-approved",
        now.isoformat(),
        (now + timedelta(days=1)).isoformat(),
    )
    workspace.file_campaign(world.maker, scope)
    workspace.decide(world.maker, store, scope.campaign_id, approve=True)
    poll_ecm(world)
    with configured(world.env):
        saved = services.archive_index().campaigns.get(store, scope.campaign_id)
    assert saved is not None and not saved.approved and saved.decision == ecm_poll.UNVERIFIED


def test_a_campaign_enables_its_promotion_at_the_start_and_disables_it_at_the_end(
    world: ApprovalWorld,
) -> None:
    store = world.store_hash
    promotion_id = new_promotion(world, "Cyber week", "20", status="DISABLED")
    subject = f"promotion/{promotion_id}"
    offer = read_promotion(world.client, int(promotion_id))
    now = datetime.now(UTC)
    scope = Scope(
        store,
        workspace.next_campaign_id(world.maker, store),
        "Cyber week",
        (now - timedelta(hours=1)).isoformat(),
        (now + timedelta(days=1)).isoformat(),
        promotions={subject: offer.approval_fingerprint},
    )
    workspace.file_campaign(world.maker, scope)
    workspace.decide(world.checker, store, scope.campaign_id, approve=True)
    poll_ecm(world)
    with configured(world.env):
        campaign = services.archive_index().campaigns.get(store, scope.campaign_id)
    assert campaign is not None
    [enable] = scheduling.due(campaign, [offer], datetime.now(UTC))

    look(world)
    assert world.published(enable)["result"] == "published"
    assert world.client.get_v3(f"/promotions/{promotion_id}")["status"] == "ENABLED"
    look(world)
    look(world)
    # Enabled by its own campaign: a new version, and nothing to report about it.
    assert [v.body["status"] for v in versions(world, subject)] == ["DISABLED", "ENABLED"]
    assert exceptions(world, subject) == []

    workspace.close(world.maker, store, scope.campaign_id, datetime.now(UTC))
    poll_ecm(world)
    with configured(world.env):
        closed = services.archive_index().campaigns.get(store, scope.campaign_id)
    assert closed is not None and closed.closed_at is not None
    live = read_promotion(world.client, int(promotion_id))
    [disable] = scheduling.due(closed, [live], datetime.now(UTC))
    look(world)
    assert world.published(disable)["result"] == "published"
    assert world.client.get_v3(f"/promotions/{promotion_id}")["status"] == "DISABLED"
    path = f"/v3/promotions/{promotion_id}"
    assert len([w for w in world.store.applied_writes() if w["path"] == path]) == 2
    assert len(world.records(enable)) == 1 and len(world.records(disable)) == 1


def bcrm(world: ApprovalWorld, user: tuple[str, str], *args: str) -> str:
    login = {"BCRM_OTCS_USERNAME": user[0], "BCRM_OTCS_PASSWORD": user[1]}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        env={**os.environ, **world.env, **login},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_commands_file_decide_and_show_a_campaign(world: ApprovalWorld, tmp_path: Path) -> None:
    store = world.store_hash
    promotion_id = new_promotion(world, "Spring", "5")
    brief = tmp_path / "brief.pdf"
    brief.write_bytes(b"%PDF-1.7 brief")
    now = datetime.now(UTC)
    said = bcrm(
        world,
        ("mia.maker", "m-pw"),
        "campaigns",
        "file",
        "--store",
        store,
        "--name",
        "Spring",
        "--start",
        now.isoformat(),
        "--end",
        (now + timedelta(days=7)).isoformat(),
        "--promotion",
        promotion_id,
        "--country",
        "de",
        "--max-discount",
        "10",
        "--brief",
        str(brief),
    )
    campaign_id = said.split()[2]
    bcrm(
        world,
        ("cy.checker", "c-pw"),
        "campaigns",
        "decide",
        "--store",
        store,
        campaign_id,
        "--approve",
    )
    poll_ecm(world)
    shown = bcrm(world, ("mia.maker", "m-pw"), "campaigns", "show", "--store", store, campaign_id)
    assert "decision: approved by" in shown
    assert f"promotions: {promotion_id}" in shown and "countries: DE" in shown
    bo = workspace.bo_id(store, campaign_id)
    assert f"{bo}-brief-brief.pdf" in filed(world, workspace.workspace_name(bo), "Briefs")
