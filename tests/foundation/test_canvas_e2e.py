"""The skeleton canvas on a real Redis and real worker processes."""

from __future__ import annotations

import json
import uuid

import pytest

from pipeline.celery import app
from pipeline.core import keys
from pipeline.core.canvas import chain_from, replay_canvas
from pipeline.core.deadletters import DeadLetter, DeadLetterFilter
from pipeline.devtools.canary import PlaceholderItem, document_name, target_inventory
from pipeline.devtools.canary import canvas as skeleton_canvas
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from tests.support import wait_for

pytestmark = pytest.mark.e2e


def _item(**plan: dict[str, int]) -> PlaceholderItem:
    return PlaceholderItem(f"t-{uuid.uuid4().hex[:10]}", **plan)


def _state(item: PlaceholderItem) -> str:
    return services.ledger().get(item.record_key).get("state", "")


def _settled(item: PlaceholderItem, state: str = "declared") -> bool:
    return _state(item) == state


def test_items_flow_through_all_four_stages(fleet: Fleet) -> None:
    items = [_item() for _ in range(20)]
    for item in items:
        skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: all(_settled(i) for i in items), what="20 items declared")
    names = [document_name({"record_key": i.record_key}) for i in items]
    inventory = target_inventory(names)
    assert len(inventory) == 20
    for item, name in zip(items, names, strict=True):
        record = services.ledger().get(item.record_key)
        assert record["target_id"] == inventory[name]["node_id"]
        assert record["sha256"] == inventory[name]["sha256"]
        assert all(
            record[f"attempts:{s}"] == "1" for s in ("fetch", "render", "classify", "declare")
        )


def test_transient_failures_are_retried_and_counted(fleet: Fleet) -> None:
    item = _item(fail_first={"render": 2, "declare": 1})
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _settled(item), what="item declared after retries")
    record = services.ledger().get(item.record_key)
    assert record["attempts:render"] == "3"
    assert record["attempts:declare"] == "2"


def test_the_same_canvas_twice_declares_once(fleet: Fleet) -> None:
    item = _item()
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _settled(item), what="first run declared")
    first = services.ledger().get(item.record_key)
    skeleton_canvas(item.ref()).apply_async()
    chain_from("bcrm.declare.placeholder", [json.loads(first["done:classify"])], {}).apply_async()
    marker = _item()
    skeleton_canvas(marker.ref()).apply_async()
    wait_for(lambda: _settled(marker), what="a later item declared")
    wait_for(lambda: redis_client().llen("fetch") + redis_client().llen("declare") == 0)
    again = services.ledger().get(item.record_key)
    assert again["attempts:declare"] == first["attempts:declare"] == "1"
    assert again["target_id"] == first["target_id"]


def test_exhausted_retries_dead_letter_with_context_and_replay_once(fleet: Fleet) -> None:
    item = _item(fail_first={"classify": 5})  # classify allows 3 retries: 4 attempts
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _settled(item, "dead_lettered"), what="item dead-lettered")
    store = services.dead_letters()
    [entry] = store.list(DeadLetterFilter(record_prefix=item.record_key))
    assert entry.task_name == "bcrm.classify.placeholder"
    assert entry.stage == "classify"
    assert entry.exception_type == "TransientError"
    assert "planned transient failure" in entry.exception
    assert "Traceback" in entry.traceback
    assert entry.attempts == 4
    assert entry.args[0]["record_key"] == item.record_key
    assert services.ledger().get(item.record_key)["dead_letter_id"] == entry.id

    from pipeline.core.canvas import replay_canvas

    assert store.replay(entry.id, replay_canvas) is True  # 5th attempt succeeds
    assert store.replay(entry.id, replay_canvas) is False
    wait_for(lambda: _settled(item), what="replayed item declared")
    name = document_name({"record_key": item.record_key})
    assert name in target_inventory([name])


def test_a_name_taken_by_other_content_is_a_permanent_error(fleet: Fleet) -> None:
    item = _item()
    name = document_name({"record_key": item.record_key})
    redis_client().hset(keys.SKELETON_TARGET, name, json.dumps({"node_id": "x", "sha256": "0"}))
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _settled(item, "dead_lettered"), what="permanent failure dead-lettered")
    [entry] = services.dead_letters().list(DeadLetterFilter(record_prefix=item.record_key))
    assert entry.exception_type == "PermanentError"
    assert entry.attempts == 1
    assert target_inventory([name])[name]["node_id"] == "x"


def test_a_failed_monthly_tax_summary_job_is_dead_lettered_not_just_logged(fleet: Fleet) -> None:
    store = f"nostore{uuid.uuid4().hex[:6]}"
    app.signature(
        "bcrm.control.tax_summaries", kwargs={"store_hash": store, "year": 2026, "month": 10}
    ).apply_async()
    dead = services.dead_letters()

    def filed() -> list[DeadLetter]:
        return [e for e in dead.list(DeadLetterFilter(stage="control"))
                if e.kwargs.get("store_hash") == store]  # fmt: skip

    [entry] = wait_for(filed, what="the failed tax summary job dead-lettered")
    assert entry.task_name == "bcrm.control.tax_summaries"
    assert entry.exception_type == "StoreNotConfigured"
    assert store in entry.exception and entry.attempts == 1


def _logged(fleet: Fleet, event: str, record_key: str) -> bool:
    """Some worker logged `event` for the record."""
    lines = (w.log_path.read_text(errors="replace").splitlines() for w in fleet.workers)
    return any(f'"{event}"' in line and record_key in line for log in lines for line in log)


def test_the_same_input_after_a_permanent_refusal_waits_on_its_dead_letter(fleet: Fleet) -> None:
    """A duplicate (a poll overlap re-sending a refused order) files no second dead letter
    and runs nothing; a replay still runs the stage again."""
    item = _item()
    name = document_name({"record_key": item.record_key})
    redis_client().hset(keys.SKELETON_TARGET, name, json.dumps({"node_id": "x", "sha256": "0"}))
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _settled(item, "dead_lettered"), what="permanent failure dead-lettered")
    store = services.dead_letters()
    [entry] = store.list(DeadLetterFilter(record_prefix=item.record_key))
    chain_from(entry.task_name, entry.args, entry.kwargs).apply_async()  # the duplicate
    wait_for(
        lambda: _logged(fleet, "stage.refused_before", item.record_key),
        what="the duplicate refused without running",
    )
    assert services.ledger().get(item.record_key)["attempts:declare"] == "1"
    assert len(store.list(DeadLetterFilter(record_prefix=item.record_key))) == 1
    assert store.replay(entry.id, replay_canvas) is True
    wait_for(
        lambda: services.ledger().get(item.record_key)["attempts:declare"] == "2",
        what="the replay ran the stage again",
    )
