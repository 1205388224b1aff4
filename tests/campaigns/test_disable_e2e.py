"""Where `campaigns.toml` says so, a live promotion no approved campaign covers is
disabled through the publish stage: a change request of bcrm's own, published once with
its receipt, and the disabled version recorded by the next look."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pipeline.flows.campaigns import memory
from pipeline.flows.campaigns.checks import UNAPPROVED_LIVE
from pipeline.flows.campaigns.disabling import disable_request
from pipeline.flows.campaigns.items import CampaignException
from tests.campaigns.test_campaigns_e2e import FLOWS, look, new_promotion, versions
from tests.flows.approval_world import ApprovalWorld, approval_world

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApprovalWorld]:
    folder = Path(tmp_path_factory.mktemp("campaigns-disable"))
    policy = folder / "campaigns.toml"
    policy.write_text('version = "t"\n[checks.unapproved_live]\ndisable = true\n')
    env = {"BCRM_FLOWS": FLOWS, "BCRM_CAMPAIGNS_FILE": str(policy)}
    with approval_world(redis_url, folder / "logs", env) as world:
        yield world


def test_an_unapproved_live_promotion_is_disabled_once_with_a_receipt(
    world: ApprovalWorld,
) -> None:
    rogue = new_promotion(world, "Midnight madness", "30")
    subject = f"promotion/{rogue}"
    look(world)
    db = redis.Redis.from_url(os.environ["BCRM_REDIS_URL"])
    [exception] = [
        i
        for i in memory.every_item(db, world.store_hash)
        if isinstance(i, CampaignException) and i.subject == subject
    ]
    assert exception.check == UNAPPROVED_LIVE
    request = disable_request(exception)
    result = world.published(request)
    assert result["result"] == "published"
    live = world.client.get_v3(f"/promotions/{rogue}")
    assert live["status"] == "DISABLED"
    path = f"/v3/promotions/{rogue}"
    assert len([w for w in world.store.applied_writes() if w["path"] == path]) == 1
    assert len(world.records(request)) == 1
    look(world)
    assert [v.body["status"] for v in versions(world, subject)] == ["ENABLED", "DISABLED"]
