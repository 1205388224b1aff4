"""Monthly tax summaries: from the store's orders of a month to one official record per
currency and country, filed under "Tax Summaries/<store>"; a second run adds nothing.

The BigCommerce and OTCS emulators run in process, the workers are real processes on
the session's Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from pipeline.cli.summaries import summaries
from pipeline.core import registry
from pipeline.core.names import ecm_name, record_key
from pipeline.core.queues import queues_idle
from pipeline.flows.commerce.documents import (
    OrderStatus,
    is_paid,
)
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.flows.commerce.taxes import summarise_month, tax_country
from pipeline.flows.fulfilment.tax_summaries import (
    MonthJob,
    month_summaries,
    previous_month,
    snapshot_orders,
    start_chains,
    summaries_of,
    summary_spec,
)
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.records.classify import classify
from pipeline.runtime import redis_client, services
from pipeline.runtime.fleet import Fleet
from sandbox.bigcommerce.server import BigCommerceEmulator
from sandbox.otcs.server import OTCSEmulator
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.support import wait_for

pytestmark = pytest.mark.e2e

ORDERS = 96  # four a month over the seeded two years
SEEDED_MONTHS = [(year, month) for year in (2024, 2025) for month in range(1, 13)]
DOCUMENT = 144


@dataclass
class Store:
    emulator: BigCommerceEmulator
    client: BigCommerceClient
    snapshots: list[OrderSnapshot]

    @property
    def store_hash(self) -> str:
        return self.emulator.store_hash

    def expected(self, year: int, month: int) -> list[TaxSummary]:
        """What the month owes, from every order of the store rather than the month's."""
        seller = self.snapshots[0].seller
        return summarise_month(self.store_hash, seller, year, month, self.snapshots)

    def busiest_month(self) -> tuple[int, int]:
        return max(SEEDED_MONTHS, key=lambda ym: len(self.expected(*ym)))

    def unpaid_order_beside_paid_ones(self) -> OrderSnapshot:
        """An unpaid order whose month already has a summary for its currency and country."""

        def group(snapshot: OrderSnapshot) -> tuple[Any, ...]:
            created = snapshot.order.date_created
            return (
                created.year,
                created.month,
                snapshot.order.currency_code,
                tax_country(snapshot),
            )

        paid = {group(s) for s in self.snapshots if is_paid(s)}
        return next(s for s in self.snapshots if not is_paid(s) and s.taxes and group(s) in paid)


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store_hash = "tax" + uuid.uuid4().hex[:8]
    with BigCommerceEmulator(orders=ORDERS, seed=23, quota=None, store_hash=store_hash) as emulator:
        client = BigCommerceClient(emulator.base_url, emulator.access_token, governor=None)
        snapshots = [
            fetch_order_snapshot(client, store_hash, int(order["id"]))
            for order in client.iter_orders(include=())
        ]
        yield Store(emulator, client, snapshots)


def test_each_month_sums_exactly_the_orders_created_in_it(store: Store) -> None:
    found = {ym: month_summaries(store.client, store.store_hash, *ym) for ym in SEEDED_MONTHS}
    assert found == {ym: store.expected(*ym) for ym in SEEDED_MONTHS}
    assert max(len(summaries) for summaries in found.values()) >= 2
    assert month_summaries(store.client, store.store_hash, 2023, 6) == []


def test_a_month_taken_one_order_per_step_sums_the_same(store: Store) -> None:
    year, month = store.busiest_month()
    job, done, steps = MonthJob(store.store_hash, year, month), False, 0
    while not done:
        job, done = snapshot_orders(store.client, job, deadline=0.0)
        steps += 1
    in_month = [
        s
        for s in store.snapshots
        if (s.order.date_created.year, s.order.date_created.month) == (year, month)
    ]
    assert steps == len(in_month) + 1
    assert summaries_of(job) == store.expected(year, month)


def test_the_default_month_is_the_last_one_that_is_over() -> None:
    assert previous_month(date(2024, 3, 1)) == (2024, 2)
    assert previous_month(date(2024, 1, 31)) == (2023, 12)


@pytest.fixture(scope="module")
def ecm(
    store: Store, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OTCSEmulator]:
    with OTCSEmulator(password="demo-pw") as ecm:
        origin = urlsplit(store.emulator.base_url)
        env = {
            "BCRM_BIGCOMMERCE_API_URL": f"{origin.scheme}://{origin.netloc}",
            "BCRM_BIGCOMMERCE_STORES": f"{store.store_hash}:{store.emulator.access_token}",
            "BCRM_OTCS_URL": ecm.base_url,
            "BCRM_OTCS_USERNAME": ecm.username,
            "BCRM_OTCS_PASSWORD": "demo-pw",
        }
        fleet = Fleet(redis_url, log_dir=tmp_path_factory.mktemp("logs"), extra_env=env)
        fleet.start()
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("BCRM_BIGCOMMERCE_STORES", env["BCRM_BIGCOMMERCE_STORES"])
                yield ecm
        finally:
            fleet.stop()


def _settled(store_hash: str, record_keys: set[str]) -> bool:
    """Every summary's chain ended and nothing is queued, in flight or waiting to retry."""
    states = services.ledger().states_with_prefix(f"{store_hash}/tax-summary-")
    ended = states.get("declared", set()) | states.get("dead_lettered", set())
    return record_keys <= ended and queues_idle(redis_client())


def _summary_records(ecm: OTCSEmulator, store_hash: str) -> list[dict[str, Any]]:
    folder = f"/Tax Summaries/{store_hash}/"
    return [n for n in ecm.inventory()["nodes"] if n["type"] == DOCUMENT and folder in n["path"]]


def _run_command(store: Store, year: int, month: int) -> dict[str, TaxSummary]:
    """`bcrm summaries run` for the month, until its summaries are declared: ECM name →
    summary of each one the month owes."""
    expected = {ecm_name(summary_spec(s)): s for s in store.expected(year, month)}
    keys = {record_key(summary_spec(s)) for s in expected.values()}
    result = CliRunner().invoke(
        summaries, ["run", "--store", store.store_hash, "--month", f"{year}-{month:02d}"]
    )
    assert result.exit_code == 0, result.output
    wait_for(lambda: _settled(store.store_hash, keys), timeout=120, what="the summaries declared")
    return expected


def _period(year: int, month: int) -> str:
    return f"tax-summary-{year:04d}-{month:02d}-"


def test_a_month_is_declared_once_per_currency_and_country(store: Store, ecm: OTCSEmulator) -> None:
    year, month = store.busiest_month()
    expected = _run_command(store, year, month)

    records = _summary_records(ecm, store.store_hash)
    assert sorted(n["name"] for n in records) == sorted(expected)
    for node in records:
        summary = expected[node["name"]]
        ref = summary_spec(summary)
        assert services.ledger().get(record_key(ref))["target_id"] == str(node["id"])
        record_class = classify(registry.flow(ref.flow), summary, ref)
        classification = node["classification"]
        assert classification["official"] is True
        assert classification["rsi"] == record_class.rsi
        assert classification["rsi"].startswith("BCRM-TAX-MON")
        assert classification["record_date"][:10] == summary.period_end.date().isoformat()
        values = node["categories"]["9100"]["values"]
        assert all(
            value in values.values()
            for value in (store.store_hash, node["sha256"], summary.currency)
        )


def test_running_a_month_again_adds_nothing(store: Store, ecm: OTCSEmulator) -> None:
    year, month = store.busiest_month()
    before = sorted((n["name"], n["sha256"]) for n in _summary_records(ecm, store.store_hash))
    assert before

    keys = start_chains(month_summaries(store.client, store.store_hash, year, month))
    wait_for(lambda: _settled(store.store_hash, set(keys)), timeout=120, what="the re-run settled")
    after = sorted((n["name"], n["sha256"]) for n in _summary_records(ecm, store.store_hash))
    assert after == before


def test_a_slow_store_is_summarised_in_steps(store: Store, ecm: OTCSEmulator) -> None:
    """At 0.3 s a call an order takes about a second, so the job runs in several steps,
    each within its budget of a third of the soft time limit (2 s here)."""
    late = store.unpaid_order_beside_paid_ones()
    taken = {store.busiest_month(), (late.order.date_created.year, late.order.date_created.month)}
    year, month = max(
        (ym for ym in SEEDED_MONTHS if ym not in taken), key=lambda ym: len(store.expected(*ym))
    )
    store.emulator.set_faults(latency={"*": {"min_ms": 300, "max_ms": 300}})
    try:
        expected = _run_command(store, year, month)
    finally:
        store.emulator.set_faults()
    records = _summary_records(ecm, store.store_hash)
    assert sorted(
        n["name"] for n in records if n["name"].startswith(_period(year, month))
    ) == sorted(expected)


def test_an_order_paid_late_makes_a_new_record_superseding_the_old(
    store: Store, ecm: OTCSEmulator
) -> None:
    late = store.unpaid_order_beside_paid_ones()
    year, month = late.order.date_created.year, late.order.date_created.month
    keys = start_chains(month_summaries(store.client, store.store_hash, year, month))
    wait_for(lambda: _settled(store.store_hash, set(keys)), timeout=120, what="the month declared")
    before = {n["name"]: n for n in _summary_records(ecm, store.store_hash)}

    store.emulator.set_status(late.order.id, OrderStatus.COMPLETED)
    keys = start_chains(month_summaries(store.client, store.store_hash, year, month))
    wait_for(lambda: _settled(store.store_hash, set(keys)), timeout=120, what="the re-run settled")

    after = {n["name"]: n for n in _summary_records(ecm, store.store_hash)}
    [added] = set(after) - set(before)
    period = f"{_period(year, month)}{late.order.currency_code}-{tax_country(late)}-"
    assert added.startswith(period)
    [earlier] = [n for name, n in before.items() if name.startswith(period)]
    xrefs = {(x["xref_type"], x["xref_id"]) for x in after[added]["xrefs"]}
    assert ("SUPERSEDES", earlier["id"]) in xrefs
    assert after[earlier["name"]]["sha256"] == earlier["sha256"]


@pytest.mark.parametrize(
    ("store_hash", "month", "reason"),
    [
        ("nosuchstore", "2024-03", "BCRM_BIGCOMMERCE_STORES"),
        (None, "2024-13", "not a month"),
        (None, datetime.now(UTC).strftime("%Y-%m"), "not over yet"),
    ],
)
def test_the_command_refuses_what_it_cannot_summarise(
    store: Store, ecm: OTCSEmulator, store_hash: str | None, month: str, reason: str
) -> None:
    args = ["run", "--store", store_hash or store.store_hash, "--month", month]
    result = CliRunner().invoke(summaries, args)
    assert result.exit_code != 0
    assert reason in result.output
