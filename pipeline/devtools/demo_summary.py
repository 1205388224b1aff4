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

from pipeline.flows.disclosures.flow import VERSION_NAMES, document_kind
from pipeline.flows.disclosures.receipts import RECEIPT
from schemas.retention import DEFAULT_JURISDICTION, RetentionPlan

DISCLOSURE_VERSION_KINDS = frozenset(document_kind(kind) for kind in VERSION_NAMES)


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
    # The disclosures flow's part: versions and receipts filed, and with live changes the
    # as-of answers for the orders either side of the terms edit (`disclosure_figures`).
    disclosures: dict[str, Any] = field(default_factory=dict)
    # The approvals flow's part, with live changes (`demo_approvals.run_approvals`).
    approvals: dict[str, Any] = field(default_factory=dict)
    # The case files' part (`demo_cases.add_case_files`): cases, their records and links,
    # holds in force and the records under them.
    cases: dict[str, Any] = field(default_factory=dict)
    # The campaigns flow's part, with live changes (`demo_campaigns.run_campaigns`).
    campaigns: dict[str, Any] = field(default_factory=dict)
    # The recall's part, with live changes (`demo_recalls.recall_figures`).
    recalls: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        checks = self.disclosures.get("as_of_checks", 0)
        return (
            not self.problems
            and self.present_exactly_once == self.due_documents
            and self.disclosures.get("as_of_checks_passed", 0) == checks
            and self.approvals.get("checks_passed", 0) == self.approvals.get("checks", 0)
            and self.campaigns.get("checks_passed", 0) == self.campaigns.get("checks", 0)
            and self.recalls.get("checks_passed", 0) == self.recalls.get("checks", 0)
        )

    def to_json(self) -> dict[str, Any]:
        figures = asdict(self)
        flows = {
            "disclosures": figures.pop("disclosures"),
            "approvals": figures.pop("approvals"),
            "cases": figures.pop("cases"),
            "campaigns": figures.pop("campaigns"),
            "recalls": figures.pop("recalls"),
        }
        return {**figures, "flows": flows, "ok": self.ok, "reconciliation": reconciliation(self)}


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


def disclosure_figures(records_per_kind: dict[str, int]) -> dict[str, Any]:
    """Versions and receipts in the ECM exactly once, from the inventory's counts."""
    versions = sum(n for kind, n in records_per_kind.items() if kind in DISCLOSURE_VERSION_KINDS)
    return {"versions": versions, "receipts": records_per_kind.get(RECEIPT, 0)}


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


def _as_of_line(answer: dict[str, Any]) -> Line:
    versions = ", ".join(
        f"{sha[:12]} (node {node})"
        for sha, node in zip(answer["content_sha256"], answer["ecm_node_id"], strict=True)
    )
    return Line(f"  as of order {answer['order_id']}", answer["state"], versions or "no version")


def _disclosures(summary: DemoSummary) -> list[Line]:
    figures = summary.disclosures
    if not figures:
        return []
    lines = [
        Line("Disclosures", "", "terms, privacy, returns and shipping texts, per channel"),
        Line(
            "  versions captured",
            str(figures["versions"]),
            "each distinct text seen by a look, filed once, linked to the one it supersedes",
        ),
        Line(
            "  receipts filed",
            str(figures["receipts"]),
            "one per order: the disclosures in force when it was placed",
        ),
    ]
    if "as_of" in figures:
        lines.append(
            Line(
                f"  terms page {figures['terms_page']!r}",
                f"{figures['as_of_checks_passed']} of {figures['as_of_checks']}",
                "orders either side of the edit answered exactly with the text then live",
            )
        )
        lines += [_as_of_line(answer) for answer in figures["as_of"]]
    return lines


def _approvals(summary: DemoSummary) -> list[Line]:
    figures = summary.approvals
    if not figures:
        return []
    refused = ", ".join(f"{n} {reason}" for reason, n in figures["refused"].items()) or "none"
    return [
        Line("Approvals", "", "price changes approved in the ECM, published to the store"),
        *(Line(f"  {action}") for action in figures["actions"]),
        Line("  change requests filed", str(figures["requested"])),
        Line("  published", str(figures["published"]), "exactly as approved, once"),
        Line("  rejected", str(figures["rejected"]), "by the approver; never published"),
        Line("  refused", refused, "a refusal record each, not a dead letter"),
        Line("  publish receipts filed", str(figures["receipts"]), "next to the approval"),
        Line(
            "  unapproved changes",
            str(figures["unapproved_changes"]),
            "prices changed in BigCommerce with no approval, each a record",
        ),
        Line(
            "  outcomes as scripted",
            f"{figures['checks_passed']} of {figures['checks']}",
        ),
    ]


def _campaigns(summary: DemoSummary) -> list[Line]:
    figures = summary.campaigns
    if not figures:
        return []
    caught = ", ".join(f"{n} {check}" for check, n in figures["exceptions"].items()) or "none"
    return [
        Line("Campaigns", "", "promotions held against the campaigns approved in the ECM"),
        *(Line(f"  {action}") for action in figures["actions"]),
        Line(
            "  promotion versions",
            str(figures["promotion_versions"]),
            "each distinct version of a promotion once, the seeded ones too",
        ),
        Line("  exceptions", caught, f"{figures['exception_records']} exception records"),
        Line(
            "  prior-price evidence",
            str(figures["evidence"]),
            "per enabled version that lowers prices in the EU (Directive 98/6/EC Art 6a)",
        ),
        Line(
            "  closeouts",
            str(figures["closeouts"]),
            f"{figures['closeout_orders']} order(s) used the campaign, with their discount",
        ),
        Line("  outcomes as scripted", f"{figures['checks_passed']} of {figures['checks']}"),
    ]


# Case files listed one per line in the summary, at most (the report lists all).
CASE_LINES = 10


def _case_line(case: dict[str, Any]) -> Line:
    orders = ", ".join(map(str, case["orders"]))
    hold = f"hold {case['hold_state']}" if case["hold"] else "no hold"
    return Line(
        f"  case {case['case_id']}",
        f"{case['reason']}, {case['status']}",
        f"order {orders}: {case['records']} records, {case['linked_records']} linked, {hold}",
    )


def _cases(summary: DemoSummary) -> list[Line]:
    figures = summary.cases
    if not figures.get("cases"):
        return []
    return [
        Line("Case files", "", "customer-service cases, each one Customer Case workspace"),
        Line("  cases", str(figures["cases"])),
        Line(
            "  records in case files",
            str(figures["records"]),
            f"{figures['earlier_versions']} of them earlier versions (a new message or "
            "status makes a new summary and log)",
        ),
        Line(
            "  order records linked",
            str(figures["linked_records"]),
            "every record of each case's orders, cross-referenced once, not copied",
        ),
        Line(
            "  legal holds in force",
            str(figures["holds_applied"]),
            f"{figures['holds_released']} released at closure",
        ),
        Line(
            "  records on hold",
            str(figures["records_on_hold"]),
            "every record of a held case's orders, and the case's own, each held once",
        ),
        *(_case_line(case) for case in figures["case_files"][:CASE_LINES]),
    ]


def _recalls(summary: DemoSummary) -> list[Line]:
    figures = summary.recalls
    if not figures:
        return []
    seconds = figures["takedown_seconds"]
    failed = "; ".join(figures["failed"])
    return [
        Line("Recalls", "", "a product recall decided in the ECM, taken off sale, on record"),
        *(Line(f"  {action}") for action in figures["actions"]),
        Line("  affected orders", str(figures["affected_orders"]), "found in the archive index"),
        Line(
            "  taken off sale",
            f"{figures['off_sale']} of {figures['takedowns']}",
            "read back from the store; a receipt each, next to its takedown request",
        ),
        Line(
            "  decision to verified takedown",
            "-" if seconds is None else f"{seconds} s",
            "the receipt's evidence",
        ),
        Line(
            "  records on hold",
            str(figures["records_on_hold"]),
            "every record of every affected order, under the recall's legal hold once",
        ),
        Line(
            "  re-enable refused",
            str(figures["reenable_refused"]),
            "an approved change putting it back on sale, refused by the recall gate, on record",
        ),
        Line(
            "  outcomes as scripted",
            f"{figures['checks_passed']} of {figures['checks']}",
            f"failed: {failed}" if failed else "",
        ),
    ]


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
        *_disclosures(summary),
        *_approvals(summary),
        *_campaigns(summary),
        *_cases(summary),
        *_recalls(summary),
        *_work(summary),
        *([Line("How the figures reconcile"), *notes] if notes else []),
        *([Line("Problems", str(len(summary.problems))), *problems] if problems else []),
        Line("Result", "ok" if summary.ok else "FAILED"),
    ]
