"""Reconciliation and fixity against both emulators, the session's Redis and real workers.

A small store is archived; reconciliation then finds it complete through the REST API
only. The ECM losing a declared record is reported missing and `bcrm reconcile --repair`
brings it back. A recorded hash (the ledger's and the archive index's) that no longer
matches the ECM fails the fixity audit, in the CLI and in the nightly task, and shows as a
hash mismatch in reconciliation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.celery import app
from pipeline.core import keys
from pipeline.ops.reconcile import ReconcileReport, reconcile
from pipeline.records import fixity
from pipeline.runtime import redis_client, services
from tests.commerce_world import World, archived_world, settled
from tests.support import wait_for

pytestmark = pytest.mark.e2e

ORDERS = 15
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def _reconcile(world: World) -> ReconcileReport:
    until = datetime.now(UTC) + timedelta(minutes=1)
    with world.configured():
        return reconcile(world.otcs, services.ledger(), world.store_hash, SINCE, until)


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with archived_world(redis_url, tmp_path_factory.mktemp("logs"), ORDERS, seed=5) as archived:
        yield archived


def test_an_archived_store_reconciles_clean(world: World) -> None:
    report = _reconcile(world)
    assert report.ok, report.to_json()
    assert report.subjects == ORDERS
    assert report.verified == report.due_documents == len(world.documents()) > ORDERS
    assert not (report.missing or report.extra or report.earlier_versions)


def test_extra_documents_and_earlier_versions_are_told_apart(world: World) -> None:
    invoice = next(n for n in world.documents() if "-invoice-" in n["name"])
    stem = invoice["name"].rsplit("-", 1)[0]
    added = [
        world.otcs.create_document(invoice["parent_id"], name, b"%PDF-1.7", "application/pdf").id
        for name in (f"{stem}-0badc0de.pdf", "scanned-note.pdf")
    ]
    try:
        report = _reconcile(world)
        assert [f.path.split("/")[-1] for f in report.earlier_versions] == [f"{stem}-0badc0de.pdf"]
        assert [f.path.split("/")[-1] for f in report.extra] == ["scanned-note.pdf"]
        assert report.ok
    finally:
        for node_id in added:
            world.otcs.delete_node(node_id)


def test_a_record_the_ecm_lost_is_reported_missing_and_repaired(world: World) -> None:
    lost = next(n for n in world.documents() if "-invoice-" in n["name"])
    repo = world.ecm.state.repo
    repo.discard(repo.get(lost["id"]))  # the emulator's side door: an ECM that lost a node

    found = world.bcrm("reconcile", "--store", world.store_hash, "--since", "2000-01-01", "--json")
    assert found.returncode == 1, found.stderr
    report = json.loads(found.stdout)
    assert [f["path"].split("/")[-1] for f in report["missing"]] == [lost["name"]]
    assert report["missing"][0]["detail"] == "ledger: declared"

    repaired = world.bcrm("reconcile", "--store", world.store_hash, "--since", "2000-01-01",
                          "--repair")  # fmt: skip
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "re-enqueued order:" in repaired.stdout
    wait_for(lambda: lost["name"] in {n["name"] for n in world.documents()}, timeout=120,
             what="the lost record declared again")  # fmt: skip
    wait_for(lambda: settled(world.store_hash), timeout=120, what="the repair settled")
    again = _reconcile(world)
    assert again.ok and not again.missing, again.to_json()
    assert again.verified == again.due_documents

    latest = json.loads(
        redis_client().get(keys.report_latest("reconcile", world.store_hash)) or "{}"
    )
    assert latest["repaired_subjects"] == [report["missing"][0]["subject"]]
    assert redis_client().llen(keys.report_history("reconcile", world.store_hash)) == 2


@pytest.fixture
def altered_record(world: World) -> Iterator[str]:
    """One declared record whose recorded hash (in the ledger, which reconciliation reads,
    and the archive index, which fixity reads) no longer matches what the ECM holds."""
    ledger_keys = sorted(services.ledger().in_state("declared", f"{world.store_hash}/"))
    record_key = ledger_keys[len(ledger_keys) // 2]
    real = services.ledger().get(record_key)["sha256"]
    index = services.archive_index()
    row = index.record(record_key)
    assert row is not None and row.sha256 == real
    redis_client().hset(keys.ledger_record(record_key), "sha256", "0" * 64)
    index.record_declared(replace(row, sha256="0" * 64))
    yield record_key
    redis_client().hset(keys.ledger_record(record_key), "sha256", real)
    index.record_declared(row)


def test_fixity_of_a_clean_store_holds(world: World) -> None:
    report = fixity.audit(world.otcs, services.archive_index(), world.store_hash)
    assert report.ok, report.to_json()
    assert report.checked == report.declared == len(world.documents())
    sampled = fixity.audit(world.otcs, services.archive_index(), world.store_hash, sample=5)
    assert sampled.ok and sampled.checked == 5


def test_an_altered_recorded_hash_fails_fixity_and_reconciliation(
    world: World, altered_record: str
) -> None:
    audited = world.bcrm("fixity", "audit", "--store", world.store_hash, "--sample", "0")
    assert audited.returncode == 1, audited.stderr
    assert f"differs  {altered_record}" in audited.stdout

    report = _reconcile(world)
    assert [f.record_key for f in report.hash_mismatch] == [altered_record]
    assert not report.ok


def test_the_nightly_fixity_task_fails_after_checking_everything(
    world: World, altered_record: str
) -> None:
    redis_client().delete(keys.report_latest("fixity", world.store_hash))
    app.send_task("bcrm.control.fixity_audit", args=[world.store_hash, 0], queue="control")
    raw = wait_for(lambda: redis_client().get(keys.report_latest("fixity", world.store_hash)),
                   timeout=120, what="the nightly audit's report")  # fmt: skip
    report = json.loads(raw)
    assert report["ok"] is False
    assert report["checked"] == report["declared"] == len(world.documents())
    assert [row["record_key"] for row in report["mismatches"]] == [altered_record]
    wait_for(
        lambda: any(
            "FixityAuditFailed" in w.log_path.read_text(errors="replace")
            for w in world.fleet.workers
        ),
        timeout=60,
        what="the task reported as failed",
    )


def test_status_shows_the_last_reconciliation_and_fixity_audit(world: World) -> None:
    world.bcrm("reconcile", "--store", world.store_hash, "--since", "2000-01-01")
    world.bcrm("fixity", "audit", "--store", world.store_hash)
    shown = world.bcrm("status", "--json")
    assert shown.returncode == 0, shown.stderr
    store = json.loads(shown.stdout)["stores"][world.store_hash]
    assert store["last_reconcile"].split()[0] in ("ok", "FAILED")
    assert store["last_fixity"].split()[0] in ("ok", "FAILED")
    assert store["orders_polls"] >= 0


def test_the_nightly_reconciliation_brings_back_what_went_missing(world: World) -> None:
    lost = next(n for n in world.documents() if "-packing-slip-" in n["name"])
    repo = world.ecm.state.repo
    repo.discard(repo.get(lost["id"]))
    app.signature(
        "bcrm.control.reconcile", kwargs={"store_hash": world.store_hash, "days": 36500}
    ).apply_async()
    wait_for(lambda: lost["name"] in {n["name"] for n in world.documents()}, timeout=120,
             what="the nightly job declaring the lost record again")  # fmt: skip
    wait_for(lambda: settled(world.store_hash), timeout=120, what="the repair settled")
    latest = json.loads(
        redis_client().get(keys.report_latest("reconcile", world.store_hash)) or "{}"
    )
    assert [f["path"].split("/")[-1] for f in latest["missing"]] == [lost["name"]]
    assert latest["repaired_subjects"] == [latest["missing"][0]["subject"]]
    assert _reconcile(world).ok


def test_records_the_ledger_let_go_reconcile_from_the_archive_index(world: World) -> None:
    """After BCRM_LEDGER_RETAIN_DAYS a declared record leaves Redis; reconciliation and the
    fixity audit then hold the ECM to the index row, and find nothing wrong. (Last in this
    module: the records it retires stay out of the ledger.)"""
    ledger = services.ledger()
    retired = sorted(ledger.in_state("declared", f"{world.store_hash}/"))[:5]
    assert all(ledger.forget_declared(record_key) for record_key in retired)
    assert all(not ledger.get(record_key) for record_key in retired)

    report = _reconcile(world)
    assert report.ok, report.to_json()
    assert report.verified == report.due_documents
    assert fixity.audit(world.otcs, services.archive_index(), world.store_hash).ok
