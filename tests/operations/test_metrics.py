"""`bcrm metrics`: what the stages count, what a scrape reads, and the command itself.

The collector is checked on fakeredis against the stores it reads; the stage hooks by
running stage tasks in this process on the session's Redis; the whole thing by archiving
a small store with real workers and comparing `bcrm metrics show` with the ECM.
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis
import requests
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.core import counters, registry
from pipeline.core.deadletters import DeadLetter, DeadLetterStore
from pipeline.core.errors import PermanentError, TransientError
from pipeline.core.stage import StageTask, stage_task
from pipeline.flows.commerce.documents import DocumentKind
from pipeline.flows.commerce.pollers import Checkpoints
from pipeline.integrations.bigcommerce.governor import RateGovernor
from pipeline.ops.metrics import fleet_registry
from pipeline.runtime import redis_client
from tests.commerce_world import World, archived_world
from tests.support import wait_for

ORDERS = 8
KINDS = {kind.value for kind in DocumentKind}  # the order documents of commerce and fulfilment


def exposition(text: str) -> dict[str, float]:
    """Every sample of an exposition, keyed as it reads: `name{label="value",...}`."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def scrape(client: redis.Redis, stores: tuple[str, ...] = ()) -> dict[str, float]:
    return exposition(generate_latest(fleet_registry(client, stores)).decode())


@pytest.fixture
def fake() -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis()


# --- the collector, on fakeredis -------------------------------------------------------------


def test_counters_become_prometheus_counters_and_a_cumulative_histogram(
    fake: fakeredis.FakeRedis,
) -> None:
    pipe = fake.pipeline()
    for seconds in (0.004, 0.03, 0.04, 3.0, 60.0):
        counters.stage_completed(pipe, "fulfilment", "render", seconds)
    counters.stage_completed(pipe, "commerce", "render", 0.2)
    counters.record_declared(pipe, "commerce", "invoice", adopted=False)
    counters.record_declared(pipe, "commerce", "invoice", adopted=False)
    counters.record_declared(pipe, "commerce", "credit_note", adopted=True)
    counters.stage_retried(pipe, "commerce", "fetch")
    counters.stage_retried(pipe, "fulfilment", "control")
    counters.stage_dead_lettered(pipe, "fulfilment", "declare")
    pipe.execute()

    metrics = scrape(fake)
    assert metrics["bcrm_redis_up"] == 1
    assert metrics['bcrm_records_declared_total{flow="commerce",kind="invoice"}'] == 2
    assert metrics['bcrm_records_declared_total{flow="commerce",kind="credit_note"}'] == 0
    assert metrics['bcrm_records_declared_total{flow="fulfilment",kind="packing_slip"}'] == 0
    assert metrics['bcrm_records_adopted_total{flow="commerce",kind="credit_note"}'] == 1
    assert metrics['bcrm_stage_retries_total{flow="commerce",stage="fetch"}'] == 1
    assert metrics['bcrm_stage_retries_total{flow="fulfilment",stage="control"}'] == 1
    assert metrics['bcrm_dead_letters_total{flow="fulfilment",stage="declare"}'] == 1
    assert metrics['bcrm_dead_letters_total{flow="fulfilment",stage="render"}'] == 0
    render = {
        le: metrics[
            f'bcrm_stage_duration_seconds_bucket{{flow="fulfilment",le="{le}",stage="render"}}'
        ]
        for le in ("0.01", "0.05", "2.5", "5.0", "20.0", "+Inf")
    }
    assert render == {"0.01": 1, "0.05": 3, "2.5": 3, "5.0": 4, "20.0": 4, "+Inf": 5}
    assert metrics['bcrm_stage_duration_seconds_count{flow="fulfilment",stage="render"}'] == 5
    assert metrics['bcrm_stage_duration_seconds_count{flow="commerce",stage="render"}'] == 1
    assert metrics['bcrm_stage_duration_seconds_sum{flow="fulfilment",stage="render"}'] == (
        pytest.approx(63.074)
    )
    assert all(metrics[f'bcrm_stage_duration_seconds_count{{flow="{f}",stage="{s}"}}'] == 0
               for f in ("commerce", "fulfilment")
               for s in ("fetch", "classify", "declare", "control"))  # fmt: skip


def test_dead_letters_waiting_are_those_not_yet_replayed(fake: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake)
    entries = [
        DeadLetter("bcrm.render.document", stage, [], {}, "KeyError", "", "", 1, flow=flow)
        for stage, flow in (
            ("render", "commerce"),
            ("render", "commerce"),
            ("declare", "fulfilment"),
        )
    ]
    for entry in entries:
        store.add(entry)
    assert store.replay(entries[0].id, send=lambda _: None)

    metrics = scrape(fake)
    assert metrics['bcrm_dead_letters_waiting{flow="commerce",stage="render"}'] == 1
    assert metrics['bcrm_dead_letters_waiting{flow="fulfilment",stage="declare"}'] == 1
    assert metrics['bcrm_dead_letters_waiting{flow="commerce",stage="fetch"}'] == 0


def test_governor_tokens_are_read_without_being_spent(fake: fakeredis.FakeRedis) -> None:
    governor = RateGovernor(fake, "s1")
    ticket = governor.acquire()
    headers = {
        "X-Rate-Limit-Requests-Quota": "150",
        "X-Rate-Limit-Time-Window-Ms": "30000",
        "X-Rate-Limit-Requests-Left": "140",
        "X-Rate-Limit-Time-Reset-Ms": "20000",
    }
    governor.observe(ticket, headers, 200)

    never_used = scrape(fake, ("s2",))
    assert not any(name.startswith("bcrm_governor_tokens_left") for name in never_used)
    assert scrape(fake, ("s1",))['bcrm_governor_tokens_left{store="s1"}'] == 140
    assert scrape(fake, ("s1",))['bcrm_governor_tokens_left{store="s1"}'] == 140

    governor.observe(governor.acquire(), {**headers, "X-Retry-After": "5"}, 429)
    assert scrape(fake, ("s1",))['bcrm_governor_tokens_left{store="s1"}'] == 0


def test_checkpoint_lag_per_store_and_stream(fake: fakeredis.FakeRedis) -> None:
    """Measured from the last successful poll, not from the store's newest change: a
    store quiet for a day but polled two minutes ago is two minutes behind."""
    now = datetime.now(UTC)
    Checkpoints(fake).advance("s1", "orders", now - timedelta(days=1))
    Checkpoints(fake).polled("s1", "orders", now - timedelta(seconds=120))
    Checkpoints(fake).advance("s1", "refunds", now - timedelta(days=1))

    metrics = scrape(fake, ("s1",))
    assert 120 <= metrics['bcrm_checkpoint_lag_seconds{store="s1",stream="orders"}'] < 180
    assert not any("refunds" in name for name in metrics)  # never polled: no sample


def test_queue_depths_and_unacknowledged_messages(fake: fakeredis.FakeRedis) -> None:
    fake.rpush("render", "m1", "m2")
    fake.hset("unacked", "tag", "m3")

    metrics = scrape(fake)
    assert metrics['bcrm_queue_depth{queue="render"}'] == 2
    assert metrics['bcrm_queue_depth{queue="declare"}'] == 0
    assert metrics["bcrm_messages_unacknowledged"] == 1


def test_a_scrape_without_redis_says_so_instead_of_failing() -> None:
    unreachable = redis.Redis(port=_free_port(), socket_connect_timeout=1)
    assert scrape(unreachable, ("s1",)) == {"bcrm_redis_up": 0}


# --- the stage hooks, on the session's Redis -------------------------------------------------


@stage_task("bcrm.declare.metrics_probe", flow="commerce")
def declare_probe(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    """A declare that does what its reference asks: fail, fail once, adopt or declare."""
    if ref.get("fail") == "permanent":
        raise PermanentError("refused")
    if ref.get("fail") == "once" and self.request.retries == 0:
        raise TransientError("try again")
    return {"record_key": ref["record_key"], "kind": "invoice", "adopted": ref["adopted"]}


def _probe(**ref: Any) -> None:
    declare_probe.apply(args=[{"record_key": f"metrics-probe/{uuid.uuid4().hex}", **ref}])


def _declare_counts() -> tuple[float, ...]:
    metrics = scrape(redis_client())
    return tuple(
        metrics[name]
        for name in (
            'bcrm_records_declared_total{flow="commerce",kind="invoice"}',
            'bcrm_records_adopted_total{flow="commerce",kind="invoice"}',
            'bcrm_stage_duration_seconds_count{flow="commerce",stage="declare"}',
            'bcrm_stage_retries_total{flow="commerce",stage="declare"}',
            'bcrm_dead_letters_total{flow="commerce",stage="declare"}',
            'bcrm_dead_letters_waiting{flow="commerce",stage="declare"}',
        )
    )


def _delta(before: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(now - then for now, then in zip(_declare_counts(), before, strict=True))


def test_a_declaration_counts_once_and_an_adoption_is_told_apart() -> None:
    before = _declare_counts()
    record_key = f"metrics-probe/{uuid.uuid4().hex}"
    for _ in range(2):  # the second run finds the stage done in the ledger
        declare_probe.apply(args=[{"record_key": record_key, "adopted": False}])
    _probe(adopted=True)
    assert _delta(before) == (1, 1, 2, 0, 0, 0)


def test_retries_and_dead_letters_count_per_stage() -> None:
    before = _declare_counts()
    _probe(adopted=False, fail="once")
    assert _delta(before) == (1, 0, 1, 1, 0, 0)

    before = _declare_counts()
    _probe(adopted=False, fail="permanent")
    try:
        assert _delta(before) == (0, 0, 0, 0, 1, 1)
    finally:
        dead = DeadLetterStore(redis_client())
        dead.purge([e.id for e in dead.list() if e.record_key.startswith("metrics-probe/")])


# --- the command -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bcrm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "metrics", *args],
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_serve_refuses_a_public_address_unless_told() -> None:
    refused = _bcrm("serve", "--host", "0.0.0.0", "--port", str(_free_port()))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "bcrm metrics: 0.0.0.0 is not a loopback address; "
        "--allow-remote listens there anyway (no authentication)"
    ]


@pytest.mark.parametrize("command", ["show", "serve"])
def test_an_unreachable_redis_is_one_line_and_exit_2(command: str) -> None:
    result = _bcrm(command, env={"BCRM_REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "connecting to 127.0.0.1" in result.stderr


@pytest.fixture(scope="module")
def archived(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, dict[str, float]]]:
    """A small store archived by real workers, and the fleet's counters from before it
    (the session's Redis also counts other tests' work)."""
    before = scrape(redis_client())
    with archived_world(redis_url, tmp_path_factory.mktemp("logs"), ORDERS, seed=17) as world:
        yield world, before


def _kind(node: dict[str, Any]) -> str:
    """A document's kind, from the category attribute the declare stage set."""
    values = node["categories"]["9100"]["values"].values()
    (kind,) = KINDS & {value for value in values if isinstance(value, str)}
    return kind


@pytest.mark.e2e
def test_show_counts_what_the_ecm_holds(archived: tuple[World, dict[str, float]]) -> None:
    world, before = archived
    shown = world.bcrm("metrics", "show")
    assert shown.returncode == 0, shown.stderr
    metrics = exposition(shown.stdout)

    in_ecm = collections.Counter(_kind(node) for node in world.documents())
    declared = {}
    for kind in KINDS:
        flow = registry.flow_of_kind(kind).name
        name = f'bcrm_records_declared_total{{flow="{flow}",kind="{kind}"}}'
        declared[kind] = metrics[name] - before[name]
    assert declared == {kind: in_ecm[kind] for kind in KINDS}
    assert sum(declared.values()) > ORDERS
    for flow, stage in (
        ("commerce", "fetch"),
        *((f, s) for f in ("commerce", "fulfilment") for s in ("render", "classify", "declare")),
    ):
        name = f'bcrm_stage_duration_seconds_count{{flow="{flow}",stage="{stage}"}}'
        assert metrics[name] - before[name] > 0, (flow, stage)
    lag = metrics[f'bcrm_checkpoint_lag_seconds{{store="{world.store_hash}",stream="orders"}}']
    assert lag > 0
    assert metrics['bcrm_queue_depth{queue="declare"}'] == 0


@pytest.mark.e2e
def test_serve_answers_prometheus_and_stops_on_sigterm(
    archived: tuple[World, dict[str, float]], tmp_path: Path
) -> None:
    world, _ = archived
    port = _free_port()
    argv = [sys.executable, "-m", "pipeline.cli", "metrics", "serve", "--port", str(port)]
    log = tmp_path / "metrics.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env={**os.environ, **world.env}, stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        wait_for(lambda: _answers(url) or process.poll() is not None, timeout=60,
                 what="bcrm metrics serve answering")  # fmt: skip
        assert process.poll() is None, log.read_text()
        metrics = exposition(requests.get(url, timeout=10).text)
        assert metrics["bcrm_redis_up"] == 1
        lag = f'bcrm_checkpoint_lag_seconds{{store="{world.store_hash}",stream="orders"}}'
        assert lag in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    assert '"event": "metrics.listening"' in log.read_text()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False
