"""The index commands as an operator runs them: a subprocess configured by environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from pipeline.index.records import ArchiveIndex
from tests.index.test_rebuild import ORDERS, SEED, _archive
from tests.index.world import PASSWORD, IndexWorld, index_world


@pytest.fixture
def world(index: ArchiveIndex, database_url: str) -> Iterator[IndexWorld]:
    with index_world(index, database_url, uuid.uuid4().hex[:10], ORDERS, SEED) as world:
        _archive(world)
        yield world


def _bcrm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _env(world: IndexWorld) -> dict[str, str]:
    return {
        "BCRM_DATABASE_URL": world.index.engine.url.render_as_string(hide_password=False),
        "BCRM_OTCS_URL": world.ecm.base_url,
        "BCRM_OTCS_USERNAME": world.ecm.username,
        "BCRM_OTCS_PASSWORD": PASSWORD,
    }


def test_find_show_and_rebuild_from_the_command_line(world: IndexWorld) -> None:
    env, store = _env(world), world.store_hash
    content = world.index.store_content(store)
    sku = next(line.sku for _, lines in content.orders.values() for line in lines if line.sku)

    found = _bcrm(env, "records", "find", "--sku", sku, "--store", store, "--json")
    assert found.returncode == 0, found.stderr
    expected = world.index.find_orders_by_sku(sku, store_hash=store)
    assert [o["order_id"] for o in json.loads(found.stdout)] == [o.order_id for o in expected]
    assert all(o["records"] for o in json.loads(found.stdout))

    newer = next(row for row in content.records.values() if row.supersedes)
    shown = _bcrm(env, "record", "show", newer.record_key, "--json")
    assert shown.returncode == 0, shown.stderr
    trail = json.loads(shown.stdout)
    assert trail["index"]["ecm_node_id"] == newer.ecm_node_id
    assert trail["ecm"]["sha256"] == newer.sha256
    links = {(x["type"], x["target_id"]) for x in trail["ecm"]["cross_references"]}
    assert {("SUPERSEDES", n) for n in newer.supersedes} <= links

    order = int(newer.subject_id)
    listed = _bcrm(env, "record", "show", "--order", str(order), "--store", store, "--json")
    assert listed.returncode == 0, listed.stderr
    keys = [t["record_key"] for t in json.loads(listed.stdout)["records"]]
    assert keys == sorted(
        r.record_key for r in world.index.records_of_subject(store, "order", str(order))
    )

    text = _bcrm(env, "record", "show", "--order", str(order), "--store", store)
    assert text.returncode == 0 and newer.record_key in text.stdout

    rebuilt = _bcrm(env, "index", "rebuild", "--store", store, "--dry-run", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["unchanged"] is True

    offline = {**env, "BCRM_OTCS_URL": "http://127.0.0.1:9/otcs/cs.exe/api"}
    unreachable = _bcrm(offline, "record", "show", newer.record_key)
    assert unreachable.returncode == 0, unreachable.stderr
    assert "ECM not reachable" in unreachable.stdout


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@localhost/x", "BCRM_DATABASE_URL: not a supported database URL"),
        ("postgresql+psycopg://nobody@127.0.0.1:9/x", "archive index: OperationalError"),
    ],
)
def test_a_bad_database_is_one_line_and_exit_2(url: str, says: str) -> None:
    result = _bcrm({"BCRM_DATABASE_URL": url}, "records", "find", "--sku", "X")
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
