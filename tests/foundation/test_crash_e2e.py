"""SIGKILL a worker mid-task: the item must still end declared exactly once."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from pipeline.devtools.canary import PlaceholderItem, document_name, target_inventory
from pipeline.devtools.canary import canvas as skeleton_canvas
from pipeline.runtime import services
from pipeline.runtime.fleet import Fleet
from tests.support import wait_for

pytestmark = pytest.mark.e2e


def _slow_render_item() -> PlaceholderItem:
    return PlaceholderItem(f"crash-{uuid.uuid4().hex[:10]}", work_ms={"render": 4000})


def _render_running(item: PlaceholderItem) -> int:
    """The pid of the pool process running the item's render, once it has started."""
    record = services.ledger().get(item.record_key)
    if record.get("attempts:render") == "1" and "done:render" not in record:
        return int(record["pid:render"])
    return 0


def _assert_declared_exactly_once(item: PlaceholderItem, started_ms: int) -> dict[str, str]:
    wait_for(
        lambda: services.ledger().get(item.record_key).get("state") == "declared",
        what="the killed item to be declared",
    )
    record = services.ledger().get(item.record_key)
    name = document_name({"record_key": item.record_key})
    node = target_inventory([name])[name]
    assert (node["node_id"], node["sha256"]) == (record["target_id"], record["sha256"])
    creations = [
        e for e in services.audit().read_since(started_ms)
        if e["event"] == "declared" and e["record_key"] == item.record_key
    ]  # fmt: skip
    assert len(creations) == 1
    return record


def test_a_killed_pool_process_is_retried_and_declares_once(own_fleet: Fleet) -> None:
    own_fleet.start()
    started_ms = int(time.time() * 1000)
    item = _slow_render_item()
    skeleton_canvas(item.ref()).apply_async()
    pid = wait_for(lambda: _render_running(item), what="render to start")
    os.kill(pid, signal.SIGKILL)
    record = _assert_declared_exactly_once(item, started_ms)
    assert record["attempts:render"] == "2"
    assert record["pid:render"] != str(pid)


def _stop_cpu_node_mid_render(fleet: Fleet, sig: signal.Signals) -> PlaceholderItem:
    """Start the fleet, send a slow item, and signal the CPU node while it renders it."""
    fleet.start()
    item = _slow_render_item()
    skeleton_canvas(item.ref()).apply_async()
    wait_for(lambda: _render_running(item), what="render to start")
    [cpu_node] = [w for w in fleet.workers if w.group == "cpu"]
    fleet.kill(cpu_node, sig)  # returns once the node has exited
    return item


def _restart_cpu_node(fleet: Fleet) -> None:
    fleet.start_group("cpu")
    fleet.wait_ready()


def test_a_killed_worker_node_is_redelivered_after_the_visibility_timeout(
    own_fleet: Fleet,
) -> None:
    started_ms = int(time.time() * 1000)
    # SIGKILL: main process and pool together, nobody to re-send it
    item = _stop_cpu_node_mid_render(own_fleet, signal.SIGKILL)
    _restart_cpu_node(own_fleet)
    record = _assert_declared_exactly_once(item, started_ms)
    assert record["attempts:render"] == "2"


def test_sigterm_lets_the_running_task_finish_and_loses_nothing(own_fleet: Fleet) -> None:
    """Soft shutdown: a node told to stop finishes what it runs (within the soft shutdown
    timeout), takes nothing new, and the rest of the canvas runs on its successor."""
    started_ms = int(time.time() * 1000)
    item = _stop_cpu_node_mid_render(own_fleet, signal.SIGTERM)
    record = services.ledger().get(item.record_key)
    assert record["attempts:render"] == "1" and "done:render" in record
    _restart_cpu_node(own_fleet)
    record = _assert_declared_exactly_once(item, started_ms)
    assert record["attempts:render"] == "1"
