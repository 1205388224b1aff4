"""A publish message lost from its queue right after the producer sent it: the unit was
owed in the ledger before the message existed, so re-drive sends it again, and the change
is written to BigCommerce once, with one receipt (issue 20)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.core.redrive import find_stalled, redrive
from pipeline.flows.approvals.producer import poll_change_requests, publish_key
from pipeline.runtime import redis_client, services
from tests.flows.approval_world import approval_world
from tests.support import configured, lose_messages

pytestmark = pytest.mark.e2e


def test_a_lost_publish_message_is_re_driven_and_written_once(
    redis_url: str, tmp_path: Path
) -> None:
    with approval_world(redis_url, tmp_path, groups=("cpu",)) as world:  # nothing publishes
        product = world.product(0)
        change = world.request_price(product["id"])
        world.decide(world.checker, change)
        key = publish_key(world.store_hash, change.id)
        with configured(world.env):
            poll_change_requests(world.service, world.store_hash)
            ledger, client = services.ledger(), redis_client()
            assert lose_messages(client, "publish", change.id) == 1
            assert ledger.get(key)["state"] == "pending"  # owed before its message existed
            stalled = [s for s in find_stalled(ledger, client, 0) if s.record_key == key]
            assert [s.next_task for s in stalled] == ["bcrm.publish.change"]
            assert redrive(stalled) == 1
        world.fleet.start(("io",))
        result = world.published(change)
        assert result["result"] == "published"
        price = Decimal(change.after["price"])
        assert [w["body"] for w in world.product_writes(product["id"])] == [{"price": float(price)}]
        assert len(world.records(change)) == 1
