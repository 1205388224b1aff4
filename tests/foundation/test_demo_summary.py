"""The demo's closing summary: plain words, figures that reconcile, RSI codes named."""

from __future__ import annotations

from dataclasses import replace

from pipeline.devtools.demo_summary import (
    DemoSummary,
    disclosure_figures,
    reconciliation,
    rsi_names,
    summary_lines,
)
from pipeline.records.classify import default_plan

# The `--report` keys other code and tests read before the summary was reworded.
REPORT_KEYS = {
    "store_hash", "orders_seen", "live_changes", "webhooks_delivered", "records_declared",
    "earlier_versions", "records_per_flow", "records_per_kind", "records_per_rsi",
    "due_documents", "present_exactly_once", "api_calls", "api_calls_per_order", "retries",
    "repeated_runs_absorbed", "dead_letters", "elapsed_s", "problems", "ok",
}  # fmt: skip


def a_run() -> DemoSummary:
    """A run whose figures agree: 20 orders at the start, 2 placed live, 93 nodes = 92
    current records + 1 earlier version."""
    return DemoSummary(
        store_hash="abc123",
        orders_seen=22,
        live_changes=["placed order 21 (1 item, 51.19 EUR)", "refunded 1.00 CAD on order 3"],
        webhooks_delivered=11,
        records_declared=93,
        earlier_versions=1,
        records_per_flow={"commerce": 50, "fulfilment": 42},
        records_per_kind={"invoice": 50, "packing_slip": 42},
        records_per_rsi={"BCRM-FIN-INV-DE": 51, "BCRM-FUL-PCK": 42},
        due_documents=92,
        present_exactly_once=92,
        api_calls=150,
        api_calls_per_order=6.82,
        retries=0,
        repeated_runs_absorbed=7,
        dead_letters=0,
        elapsed_s=30.2,
        orders_at_start=20,
        orders_fetched=22,
        fetch_runs=36,
        rsi_names=rsi_names(default_plan()),
    )


def _text(summary: DemoSummary) -> dict[str, tuple[str, str]]:
    return {line.label.strip(): (line.value, line.meaning) for line in summary_lines(summary)}


def test_figures_that_agree_need_no_explanation() -> None:
    summary = a_run()
    assert reconciliation(summary) == []
    text = _text(summary)
    assert text["orders in the store"] == ("22", "20 at the start, 2 placed during the run")
    assert text["orders fetched"] == ("22", "every one")
    assert text["present exactly once"][0] == "92"
    assert text["Records in the ECM"][0] == "93"
    assert text["earlier versions kept"][0] == "1"
    assert text["Result"][0] == "ok"
    assert "How the figures reconcile" not in text


def test_orders_not_fetched_are_explained() -> None:
    summary = replace(a_run(), orders_fetched=19, orders_refused=2)
    [said] = reconciliation(summary)
    assert said.startswith("3 of 22 orders in the store were not fetched: 2 refused at fetch")
    assert "1 never fetched" in said
    assert _text(summary)["orders fetched"] == ("19", "see below")
    assert "How the figures reconcile" in _text(summary)


def test_records_that_do_not_add_up_are_named() -> None:
    summary = replace(a_run(), records_declared=95, problems=["x.pdf: present 2 times"])
    said = reconciliation(summary)
    assert any("95 records in the ECM, not 93" in s and "+2" in s for s in said)
    text = _text(summary)
    assert text["Result"][0] == "FAILED"
    assert text["Problems"][0] == "1"
    assert "x.pdf: present 2 times" in text


def test_every_rsi_code_has_its_name_from_the_file_plan() -> None:
    names = rsi_names(default_plan())
    assert names["BCRM-FIN-INV"] == "Invoices (10 years)"
    assert names["BCRM-FIN-INV-DE"] == "Invoices, DE (8 years)"
    assert names["BCRM-FUL-PCK"] == "Packing Slips (2 years)"
    text = _text(a_run())
    assert text["BCRM-FIN-INV-DE"] == ("51", "Invoices, DE (8 years)")


def test_plain_words_say_what_repeated_runs_and_dead_letters_mean() -> None:
    text = _text(a_run())
    assert "without a duplicate record" in text["repeated runs absorbed"][1]
    assert "crash" in text["repeated runs absorbed"][1]
    assert "temporary error" in text["retries"][1]
    assert "set aside for a person" in text["dead letters"][1]
    assert text["BigCommerce API calls"] == ("150", "6.82 per order fetched")


def test_live_changes_are_listed_with_their_currencies() -> None:
    labels = [line.label.strip() for line in summary_lines(a_run())]
    assert "placed order 21 (1 item, 51.19 EUR)" in labels
    assert "refunded 1.00 CAD on order 3" in labels
    no_live = _text(replace(a_run(), live_changes=[]))
    assert no_live["Live changes"][0] == "none"


def test_the_report_keeps_its_keys_and_adds_new_ones() -> None:
    report = a_run().to_json()
    assert set(report) >= REPORT_KEYS
    assert report["orders_fetched"] == 22
    assert report["rsi_names"]["BCRM-FIN-INV-DE"] == "Invoices, DE (8 years)"
    assert report["reconciliation"] == []


def _with_terms_edit(first_state: str) -> DemoSummary:
    summary = a_run()
    summary.disclosures = {
        **disclosure_figures({"disclosure_page": 13, "disclosure_privacy": 3,
                              "disclosure_receipt": 22, "invoice": 50}),
        "terms_page": "Terms and Conditions",
        "as_of": [
            {"order_id": 21, "state": first_state, "content_sha256": ["a" * 64],
             "ecm_node_id": [100224]},
            {"order_id": 22, "state": "exact", "content_sha256": ["b" * 64],
             "ecm_node_id": [100261]},
        ],
        "as_of_checks": 2,
        "as_of_checks_passed": 2 if first_state == "exact" else 1,
    }  # fmt: skip
    return summary


def test_the_disclosures_part_counts_versions_and_receipts_and_shows_both_answers() -> None:
    summary = _with_terms_edit("exact")
    text = _text(summary)
    assert text["versions captured"][0] == "16"
    assert text["receipts filed"][0] == "22"
    assert text["terms page 'Terms and Conditions'"][0] == "2 of 2"
    assert text["as of order 21"] == ("exact", "aaaaaaaaaaaa (node 100224)")
    assert text["as of order 22"] == ("exact", "bbbbbbbbbbbb (node 100261)")
    report = summary.to_json()
    assert "disclosures" not in report
    flows = report["flows"]["disclosures"]
    assert (flows["versions"], flows["receipts"], flows["as_of_checks_passed"]) == (16, 22, 2)
    assert summary.ok


def test_an_order_answered_less_than_exactly_fails_the_demo() -> None:
    summary = _with_terms_edit("ambiguous")
    assert not summary.ok
    assert _text(summary)["Result"][0] == "FAILED"


ACTION = "abc123-CR-1: price of product 77 → 21.00, filed by mia.maker, approved by cy.checker"


def _with_approvals(published: int) -> DemoSummary:
    summary = a_run()
    summary.approvals = {
        "requested": 4, "published": published, "rejected": 1,
        "refused": {"drift": 1, "separation of duties": 1}, "unapproved_changes": 2,
        "receipts": published, "refusal_records": 2,
        "actions": [ACTION],
        "checks": 6, "checks_passed": 6 if published == 1 else 4,
    }  # fmt: skip
    return summary


def test_the_approvals_part_shows_each_outcome_and_reports_its_figures() -> None:
    summary = _with_approvals(1)
    text = _text(summary)
    assert text["refused"][0] == "1 drift, 1 separation of duties"
    assert text["unapproved changes"][0] == "2"
    assert text["publish receipts filed"][0] == "1"
    assert text["outcomes as scripted"][0] == "6 of 6"
    assert ACTION in text
    flows = summary.to_json()["flows"]["approvals"]
    assert (flows["published"], flows["receipts"], flows["unapproved_changes"]) == (1, 1, 2)
    assert summary.ok


def test_an_approvals_outcome_other_than_scripted_fails_the_demo() -> None:
    summary = _with_approvals(0)
    assert not summary.ok
    assert _text(summary)["Result"][0] == "FAILED"


def test_the_case_files_part_shows_each_case_and_its_hold() -> None:
    summary = a_run()
    summary.cases = {
        "cases": 2, "records": 9, "earlier_versions": 2, "linked_records": 11,
        "holds_applied": 1, "holds_released": 0, "records_on_hold": 10,
        "case_files": [
            {"case_id": "HD-1001", "origin": "helpdesk", "reason": "return",
             "status": "closed", "orders": [3], "records": 5, "linked_records": 5,
             "hold": None, "hold_state": "none"},
            {"case_id": "dispute-22", "origin": "bigcommerce", "reason": "dispute",
             "status": "open", "orders": [22], "records": 4, "linked_records": 6,
             "hold": "CASE-abc123-dispute-22", "hold_state": "in force"},
        ],
    }  # fmt: skip
    text = _text(summary)
    assert text["records in case files"][0] == "9"
    assert text["records in case files"][1].startswith("2 of them earlier versions")
    assert text["legal holds in force"] == ("1", "0 released at closure")
    assert text["case HD-1001"] == ("return, closed", "order 3: 5 records, 5 linked, no hold")
    assert text["case dispute-22"][1] == "order 22: 4 records, 6 linked, hold in force"
    report = summary.to_json()
    assert "cases" not in report and report["flows"]["cases"]["records_on_hold"] == 10
    assert "Case files" not in _text(a_run())


def _with_recall(passed: int) -> DemoSummary:
    summary = a_run()
    summary.recalls = {
        "recall_id": "1", "sku": "TSH-005", "product_id": 41, "opened_by": "1001",
        "decided_by": "1002", "affected_orders": 3, "records_on_hold": 24,
        "takedown_seconds": 0.863, "takedowns": 1, "off_sale": 1, "reenable_refused": 1,
        "actions": ["recall 1 of SKU TSH-005 opened by quinn.quality, decided by lee.legal"],
        "checks": 4, "checks_passed": passed,
        "failed": [] if passed == 4 else ["re-enable refused by the gate"],
    }  # fmt: skip
    return summary


def test_the_recalls_part_shows_the_takedown_holds_and_the_refused_re_enable() -> None:
    summary = _with_recall(4)
    text = _text(summary)
    assert text["affected orders"][0] == "3"
    assert text["taken off sale"][0] == "1 of 1"
    assert text["decision to verified takedown"][0] == "0.863 s"
    assert text["records on hold"][0] == "24"
    assert text["re-enable refused"][0] == "1"
    flows = summary.to_json()["flows"]["recalls"]
    assert (flows["affected_orders"], flows["records_on_hold"]) == (3, 24)
    assert (flows["takedown_seconds"], flows["reenable_refused"]) == (0.863, 1)
    assert summary.ok
    assert "Recalls" not in _text(a_run())


def test_a_recall_outcome_other_than_scripted_fails_the_demo() -> None:
    summary = _with_recall(3)
    assert not summary.ok
    assert _text(summary)["outcomes as scripted"] == (
        "3 of 4",
        "failed: re-enable refused by the gate",
    )
