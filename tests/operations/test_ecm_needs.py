"""What `bcrm ecm check` asks of the server covers everything declare can name: for every
source the golden fixture holds, each owed document's placement (workspace type, root
folder, link types) and category attributes are among its flow's `ecm_needs`."""

from __future__ import annotations

from typing import Any

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from pipeline.records.classify import classify, default_plan
from pipeline.records.needs import ecm_needs
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.golden.names import load_fixture


def test_placements_and_attributes_stay_within_the_needs() -> None:
    plan = default_plan()
    # The flows filing documents from the fixture's sources (orders, a store's month).
    filing = [
        f
        for f in registry.flows().values()
        if any(k.source in ("order", "store_month") for k in f.kinds.values())
    ]
    needs = ecm_needs(filing, plan)
    seen_types: set[str] = set()
    seen_paths: set[str] = set()
    seen_xrefs: set[str] = set()
    for staged in load_fixture()["sources"]:
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
                for spec in flow.documents_owed(snapshot)
            ]
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
    assert seen_types == {"ORDER"}
    assert seen_paths == {"Tax Summaries"}
    assert seen_xrefs == needs.xref_types - {"SUPERSEDES"}
