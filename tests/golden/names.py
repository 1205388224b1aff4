"""What the golden fixture pins: for every staged source, the record key, ECM name,
workspace and folder of each document it owes.

The sources (order snapshots and tax summaries, as canonical JSON) are stored in the
fixture itself, so the test holds the key and name derivation to what records already
declared carry, whatever later changes the emulators' seed data. The fixture was written
by the code that declared them (before the flow contract); regenerate it only on purpose:
`python -m tests.golden.make_fixture`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Placement
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from pipeline.records.classify import default_plan
from schemas.snapshot import OrderSnapshot, TaxSummary

FIXTURE = Path(__file__).with_name("record_names.json.gz")
# The flows whose records the fixture pins; a later flow's documents (the disclosures
# flow's receipt, owed from the same order) are pinned by its own tests, not here.
GOLDEN_FLOWS = ("commerce", "fulfilment")


def load_fixture() -> dict[str, Any]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as handle:
        return dict(json.load(handle))


def save_fixture(body: dict[str, Any]) -> None:
    text = json.dumps(body, sort_keys=True, indent=0)
    FIXTURE.write_bytes(gzip.compress(text.encode(), mtime=0))


def _row(spec: DocumentSpec, placement: Placement) -> dict[str, Any]:
    workspace = placement.workspace
    if workspace is None:
        folder = "/".join((placement.root_path or "", *placement.folders))
    else:
        folder = "/".join(placement.folders)
    return {
        "record_key": names.record_key(spec),
        "ecm_name": names.ecm_name(spec),
        "workspace": None if workspace is None else workspace.name,
        "folder": folder,
    }


def derived(kind: str, raw: bytes) -> list[dict[str, Any]]:
    """What today's code derives for one staged source, in name order."""
    plan = default_plan()
    if kind == "tax_summary":
        summary = TaxSummary.from_json_bytes(raw)
        specs = [(summary_spec(summary), summary)]
    else:
        snapshot = OrderSnapshot.from_json_bytes(raw)
        flows = [flow for flow in registry.consumers("order") if flow.name in GOLDEN_FLOWS]
        specs = [(spec, snapshot) for flow in flows for spec in flow.documents_owed(snapshot)]
    rows = []
    for spec, source in specs:
        flow = registry.flow(spec.flow)
        rows.append(_row(spec, flow.placement(source, spec, plan.classes[spec.kind].folder)))
    return sorted(rows, key=lambda row: row["ecm_name"])
