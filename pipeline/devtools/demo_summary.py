"""What `bcrm demo` tells a records manager at the end, as figures (the JSON report) and as
plain sentences (the screen).

The figures come from different places (the store, the ledger, the ECM's inventory), so
the summary says how they reconcile: orders in the store against orders fetched, records
in the ECM against current records plus earlier versions. Where they differ it says why
instead of leaving two numbers that do not add up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from schemas.retention import DEFAULT_JURISDICTION, RetentionPlan


@dataclass
class DemoSummary:
    """The run's figures; `to_json` is the `--report` file (keys are only ever added)."""

    store_hash: str
    orders_seen: int
    live_changes: list[str]
    webhooks_delivered: int
    records_declared: int
    earlier_versions: int
    records_per_flow: dict[str, int]
    records_per_kind: dict[str, int]
    records_per_rsi: dict[str, int]
    due_documents: int
    present_exactly_once: int
    api_calls: int
    api_calls_per_order: float
    retries: int
    repeated_runs_absorbed: int
    dead_letters: int
    elapsed_s: float
    problems: list[str] = field(default_factory=list)
    orders_at_start: int = 0
    orders_fetched: int = 0
    fetch_runs: int = 0
    orders_refused: int = 0
    rsi_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.present_exactly_once == self.due_documents

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "reconciliation": reconciliation(self)}


@dataclass(frozen=True)
class Line:
    """One line of the summary: a label, its figure, and what the figure means."""

    label: str
    value: str = ""
    meaning: str = ""


def rsi_names(plan: RetentionPlan) -> dict[str, str]:
    """Each RSI code the file plan files under, named from its class: the classification's
    last part, and for a jurisdiction's own RSI the country and its period."""
    names = {}
    for rule in plan.classes.values():
        title = rule.classification.rsplit("/", 1)[-1]
        for jurisdiction, years in rule.retention_years.items():
            if jurisdiction == DEFAULT_JURISDICTION:
                names[rule.rsi] = f"{title} ({years} years)"
            else:
                names[rule.rsi_for(jurisdiction)] = f"{title}, {jurisdiction} ({years} years)"
    return names


def reconciliation(summary: DemoSummary) -> list[str]:
    """Sentences that make the figures add up, or say why they do not."""
    said = []
    not_fetched = summary.orders_seen - summary.orders_fetched
    if not_fetched:
        lost = not_fetched - summary.orders_refused
        said.append(
            f"{not_fetched} of {summary.orders_seen} orders in the store were not fetched: "
            f"{summary.orders_refused} refused at fetch (their data cannot make a document; "
            f"dead letters waiting for a person), {lost} never fetched"
        )
    expected = summary.present_exactly_once + summary.earlier_versions
    if summary.records_declared != expected:
        said.append(
            f"{summary.records_declared} records in the ECM, not {expected} (current plus "
            f"earlier versions): {summary.records_declared - expected:+d} filed twice or missing"
        )
    missing = summary.due_documents - summary.present_exactly_once
    if missing:
        said.append(f"{missing} owed documents are not in the ECM exactly once (see problems)")
    return said


def _orders(summary: DemoSummary) -> list[Line]:
    placed = summary.orders_seen - summary.orders_at_start
    return [
        Line("Orders"),
        Line(
            "  orders in the store",
            str(summary.orders_seen),
            f"{summary.orders_at_start} at the start, {placed} placed during the run",
        ),
        Line(
            "  orders fetched",
            str(summary.orders_fetched),
            "every one" if summary.orders_fetched == summary.orders_seen else "see below",
        ),
        Line(
            "  fetches",
            str(summary.fetch_runs),
            "an order is fetched again for every change a poll or a webhook reports",
        ),
    ]


def _live(summary: DemoSummary) -> list[Line]:
    if not summary.live_changes:
        return [Line("Live changes", "none", "run without them (--no-live)")]
    return [
        Line("Live changes", "", "what shoppers and staff did while the pipeline ran"),
        *(Line(f"  {change}") for change in summary.live_changes),
        Line(
            "  webhook notifications received",
            str(summary.webhooks_delivered),
            "the store's pushes; pollers find the same changes",
        ),
    ]


def _records(summary: DemoSummary) -> list[Line]:
    lines = [
        Line("Records in the ECM", str(summary.records_declared)),
        Line(
            "  documents the orders owe",
            str(summary.due_documents),
            "asked again of every order at the end",
        ),
        Line(
            "  present exactly once",
            str(summary.present_exactly_once),
            "declared as records, with the SHA-256 the ledger recorded",
        ),
        Line(
            "  earlier versions kept",
            str(summary.earlier_versions),
            "superseded by a newer record of the same document (e.g. after a refund)",
        ),
        Line("Current records per kind"),
        *(
            Line(f"  {kind.replace('_', ' ')}", str(n))
            for kind, n in summary.records_per_kind.items()
        ),
        Line("Records per records series (RSI)", "", "earlier versions included"),
    ]
    for code, n in summary.records_per_rsi.items():
        lines.append(Line(f"  {code}", str(n), summary.rsi_names.get(code, "")))
    return lines


def _work(summary: DemoSummary) -> list[Line]:
    return [
        Line("How the pipeline worked"),
        Line(
            "  BigCommerce API calls",
            str(summary.api_calls),
            f"{summary.api_calls_per_order} per order fetched",
        ),
        Line(
            "  retries",
            str(summary.retries),
            "stage runs retried after a temporary error (an API or network failure)",
        ),
        Line(
            "  repeated runs absorbed",
            str(summary.repeated_runs_absorbed),
            "stage runs repeated after a crash, a redelivery or a duplicate event, "
            "absorbed without a duplicate record",
        ),
        Line(
            "  dead letters",
            str(summary.dead_letters),
            "items set aside for a person, each with its reason (bcrm dlq list)",
        ),
        Line("  elapsed", f"{summary.elapsed_s} s"),
    ]


def summary_lines(summary: DemoSummary) -> list[Line]:
    """The summary as a records manager reads it, top to bottom."""
    notes = [Line(f"  {sentence}") for sentence in reconciliation(summary)]
    problems = [Line(f"  {problem}") for problem in summary.problems[:20]]
    return [
        *_orders(summary),
        *_live(summary),
        *_records(summary),
        *_work(summary),
        *([Line("How the figures reconcile"), *notes] if notes else []),
        *([Line("Problems", str(len(summary.problems))), *problems] if problems else []),
        Line("Result", "ok" if summary.ok else "FAILED"),
    ]
