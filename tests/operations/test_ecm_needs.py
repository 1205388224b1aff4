"""What `bcrm ecm check` asks of the server covers everything declare can name: for every
source the golden fixture holds, each owed document's placement (workspace type, root
folder, link types) and category attributes are among its flow's `ecm_needs`."""

from __future__ import annotations

from typing import Any

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec
from pipeline.flows.approvals.approval_check import ApprovalFacts
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.publish import PublishOutcome
from pipeline.flows.approvals.publish_record import PublishRecord
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from pipeline.records.classify import classify, default_plan
from pipeline.records.needs import ecm_needs
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.golden.names import GOLDEN_FLOWS, load_fixture


def publish_records() -> list[tuple[DocumentSpec, Any]]:
    """A receipt and a refusal of the approvals flow (its documents come from no fetch)."""
    change = ChangeRequest(
        "abc-CR-1", "abc", "product_price", "product/1", {"price": "2"}, {"price": "1"}
    )
    approval = ApprovalFacts(8000, 8001, "2026-01-01T00:00:00+00:00", "2026-01-15T00:00:00+00:00")
    outcomes = [
        PublishOutcome(change.id, "published", "", {"price": "1"}, {"price": "2"}, [], "", ""),
        PublishOutcome(change.id, "refused", "drift"),
    ]
    records = [PublishRecord.of(change, approval, outcome, "DE") for outcome in outcomes]
    return [(record.spec(), record) for record in records]


def test_placements_and_attributes_stay_within_the_needs() -> None:
    plan = default_plan()
    # The flows the fixture's sources (orders, a store's month) are filed by, and the
    # approvals flow, whose two records below come from no fetch (tests/disclosures and
    # tests/flows/test_cases_e2e.py hold those flows' placements to their needs).
    filing = [registry.flow(name) for name in (*GOLDEN_FLOWS, "approvals")]
    needs = ecm_needs(filing, plan)
    seen_types: set[str] = set()
    seen_paths: set[str] = set()
    seen_xrefs: set[str] = set()
    for index, staged in enumerate(load_fixture()["sources"]):
        raw = staged["source"].encode()
        owed: list[tuple[DocumentSpec, Any]]
        if staged["kind"] == "tax_summary":
            summary = TaxSummary.from_json_bytes(raw)
            owed = [(summary_spec(summary), summary)]
        else:
            snapshot = OrderSnapshot.from_json_bytes(raw)
            owed = [
                (spec, snapshot)
                for flow in registry.consumers("order")
                if flow.name in GOLDEN_FLOWS
                for spec in flow.documents_owed(snapshot)
            ]
        if index == 0:
            owed += publish_records()
        for spec, source in owed:
            flow = registry.flow(spec.flow)
            own = flow.ecm_needs(plan)
            placement = flow.placement(source, spec, plan.classes[spec.kind].folder)
            if placement.workspace is not None:
                assert placement.workspace.type in own.workspace_types
                seen_types.add(placement.workspace.type)
            if placement.root_path is not None:
                assert placement.root_path in own.root_paths
                seen_paths.add(placement.root_path)
            for link in placement.links:
                assert link.xref_type in own.xref_types
                seen_xrefs.add(link.xref_type)
            attributes = classify(flow, source, spec).category_attributes
            assert set(attributes) <= set(needs.attributes), spec
    assert seen_types == {"ORDER", "CHANGE_REQUEST"}
    assert seen_paths == {"Tax Summaries"}
    assert seen_xrefs == needs.xref_types - {"SUPERSEDES"}
