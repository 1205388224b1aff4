"""`bcrm demo`: archive a seeded BigCommerce store into the ECM emulator, end to end.

Beat polls the store and looks at its disclosures, the fleet fetches, renders, classifies
and declares; halfway the demo acts like shoppers and merchants (an order, an edit of the
terms page, another order, a shipment, a refund, a helpdesk's case and a disputed order),
decides price changes and a product recall in the ECM (`demo_approvals`, `demo_recalls`)
and waits for those to arrive too. Then it checks the ECM's inventory against what the
store owes: every due document present exactly once, with the hash the ledger recorded,
and every case file's links and holds.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from pipeline.core import registry
from pipeline.core.ledger import repeated_attempts_of, retries_of
from pipeline.devtools.approvals_staff import hire
from pipeline.devtools.demo_approvals import run_approvals
from pipeline.devtools.demo_campaigns import run_campaigns
from pipeline.devtools.demo_cases import CaseActions, act_on_cases, add_case_files
from pipeline.devtools.demo_disclosures import TermsEdit, as_of_figures, edit_terms_between_orders
from pipeline.devtools.demo_phases import CHECKING, UNITS, PhaseTracker, PhaseView
from pipeline.devtools.demo_recalls import attempt_reenable, open_recall, recall_figures
from pipeline.devtools.demo_sandbox import PipelineProcesses, Sandbox
from pipeline.devtools.demo_summary import DemoSummary, disclosure_figures, rsi_names
from pipeline.devtools.helpdesk import Helpdesk
from pipeline.devtools.inventory import check_inventory
from pipeline.devtools.settling import (
    Snapshot,
    documents_fanned_out,
    look,
    wait_until_settled,
)
from pipeline.flows.approvals.policy import policy
from pipeline.records.classify import default_plan
from pipeline.records.pdf.format import money
from pipeline.runtime import clients, services

DEMO_BUYER = {
    "first_name": "Zoë",
    "last_name": "Ødegård",
    "street_1": "Prinsengracht 263",
    "city": "Amsterdam",
    "zip": "1016 GV",
    "country": "Netherlands",
    "country_iso2": "NL",
    "email": "zoe@example.com",
}


def _place_order(sandbox: Sandbox, product_id: int, quantity: int, done: list[str]) -> int:
    """A shopper checks out `quantity` of one product; says so in `done`."""
    body = {
        "products": [{"product_id": product_id, "quantity": quantity}],
        "billing_address": DEMO_BUYER,
    }
    order = sandbox.admin("bigcommerce", "POST", "/orders", body)
    total = money(Decimal(order["total_inc_tax"]), order["currency_code"])
    items = "1 item" if quantity == 1 else f"{quantity} items"
    done.append(f"placed order {order['id']} ({items}, {total})")
    return int(order["id"])


def _live_changes(
    sandbox: Sandbox, deadline: float, view: PhaseView
) -> tuple[list[str], set[int], TermsEdit]:
    """Act like the store's shoppers and staff: an order, an edit of the terms page, a
    second order, a shipment, a refund. Returns what was done, in words with
    currencies, the orders it touched and the terms edit."""
    client = clients.bigcommerce(sandbox.store_hash)
    product = next(client.iter_v3("/catalog/products", {"limit": 5}))
    done: list[str] = []
    quantities = iter((1, 3))
    edit = edit_terms_between_orders(
        sandbox.store_hash,
        client,
        lambda: _place_order(sandbox, product["id"], next(quantities), done),
        deadline,
        view.announce,
    )
    done.insert(1, f"edited the terms page {edit.page_name!r} (PUT /v3/content/pages)")
    touched = {edit.before_order, edit.after_order}
    awaiting = next(client.iter_orders(status_id=11, include=(), limit=5), None)
    if awaiting is not None:
        sandbox.admin("bigcommerce", "POST", f"/orders/{awaiting['id']}/shipments", {})
        done.append(f"shipped order {awaiting['id']}")
        touched.add(awaiting["id"])
    completed = next(client.iter_orders(status_id=10, include=(), limit=5), None)
    if completed is not None:
        sandbox.admin("bigcommerce", "POST", f"/orders/{completed['id']}/refunds", {"amount": 1.0})
        refunded = money(Decimal("1.00"), completed["currency_code"])
        done.append(f"refunded {refunded} on order {completed['id']}")
        touched.add(completed["id"])
    return done, touched, edit


def _owed_documents(seen: Snapshot) -> set[str]:
    """The documents every fetch so far started a chain for."""
    return documents_fanned_out(seen.fetches["fetched"])


def _archive(store_hash: str, deadline: float, tracker: PhaseTracker) -> Snapshot:
    """Wait until the pipeline has settled what the tracker's round owes, showing it."""
    wait_until_settled(store_hash, deadline, tracker.observe)
    seen = look(store_hash)
    tracker.finish(seen)
    return seen


def _inventory_summary(
    sandbox: Sandbox, seen: Snapshot, view: PhaseView, figures: dict[str, Any]
) -> DemoSummary:
    """Check the ECM against what the store owes, as the last phase, and sum up."""
    orders = seen.subjects_fetched
    view.start(CHECKING, orders, UNITS[CHECKING])
    check = check_inventory(
        sandbox.otcs["admin_url"],
        sandbox.store_hash,
        lambda done: view.advance(CHECKING, min(done, orders)),
    )
    return DemoSummary(
        orders_seen=check.orders,
        orders_refused=check.orders_refused,
        records_declared=check.records_declared,
        earlier_versions=check.earlier_versions,
        records_per_flow=check.records_per_flow,
        records_per_kind=check.records_per_kind,
        records_per_rsi=check.records_per_rsi,
        due_documents=check.due,
        present_exactly_once=check.present_once,
        problems=check.problems,
        **figures,
    )


def run_demo(
    sandbox: Sandbox,
    timeout_s: float,
    live: bool,
    processes: PipelineProcesses,
    view: PhaseView,
) -> DemoSummary:
    """Start the pipeline's processes, archive the store, make live changes, archive
    those, verify."""
    started = time.monotonic()
    deadline = started + timeout_s
    store = sandbox.store_hash
    orders_at_start = int(clients.bigcommerce(store).get_v2("/orders/count")["count"])
    processes.start()
    view.announce(f"Archiving the {orders_at_start} orders the store holds")
    seen = _archive(store, deadline, PhaseTracker(view, orders_at_start, _owed_documents))
    changes: list[str] = []
    edit = None
    approvals: dict[str, Any] = {}
    campaigns: dict[str, Any] = {}
    cases = CaseActions()
    recall = reenable = None
    recalls: dict[str, Any] = {}
    if live:
        flows = registry.flows()
        staff = hire(clients.otcs(), policy()) if "approvals" in flows else None
        if staff is not None and "recalls" in flows:
            recall = open_recall(sandbox, view.announce)
        changes, touched, edit = _live_changes(sandbox, deadline, view)
        if "cases" in registry.flows():
            helpdesk = Helpdesk(processes.webhook_url, processes.env)
            cases = act_on_cases(sandbox, helpdesk, edit.before_order, edit.after_order)
            changes += cases.done
            touched |= cases.orders
        view.announce("Live changes: " + "; ".join(changes))
        if staff is not None:
            approvals = run_approvals(sandbox, staff, deadline, view.announce)
            if "campaigns" in flows:
                campaigns = run_campaigns(sandbox, staff, deadline, view.announce)
        if staff is not None and recall is not None:
            reenable = attempt_reenable(sandbox, recall, staff, deadline, view.announce)
        tracker = PhaseTracker(view, len(touched), _owed_documents, "live changes: ", seen)
        seen = _archive(store, deadline, tracker)
        if recall is not None and reenable is not None:
            recalls = recall_figures(sandbox, recall, reenable, deadline)
            seen = look(store)  # what the recall's part added settled meanwhile
    counters = sandbox.admin("bigcommerce", "GET", "/counters")
    deliveries = sandbox.admin("bigcommerce", "GET", "/webhooks/attempts")
    records = services.ledger().get_many(
        sorted(set().union(*seen.documents.values(), *seen.fetches.values()))
    )
    figures = {
        "store_hash": store,
        "orders_at_start": orders_at_start,
        "orders_fetched": seen.subjects_fetched,
        "fetch_runs": len(seen.fetches["fetched"]),
        "live_changes": changes,
        "webhooks_delivered": sum(1 for attempt in deliveries if attempt["ok"]),
        "api_calls": int(counters["total"]),
        "api_calls_per_order": round(int(counters["total"]) / max(seen.subjects_fetched, 1), 2),
        "retries": sum(retries_of(r) for r in records),
        "repeated_runs_absorbed": sum(repeated_attempts_of(r) - retries_of(r) for r in records),
        "dead_letters": len(seen.documents["dead_lettered"]) + len(seen.fetches["dead_lettered"]),
        "elapsed_s": round(time.monotonic() - started, 1),
        "rsi_names": rsi_names(default_plan()),
    }
    summary = _inventory_summary(sandbox, seen, view, figures)
    summary.disclosures = disclosure_figures(summary.records_per_kind)
    if edit is not None:
        summary.disclosures.update(as_of_figures(store, edit))
    summary.approvals = approvals
    summary.campaigns = campaigns
    add_case_files(sandbox, summary, cases)
    summary.recalls = recalls
    return summary
