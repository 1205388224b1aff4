"""docs/going-live.md lists what `bcrm ecm check` checks: the attributes with their types,
the workspace types, every class's classification, RSI and country variants, the folders
and the cross-reference types, for the shipped file plan and the default flows."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core import registry
from pipeline.core.registry import DEFAULT_FLOWS
from pipeline.records.classify import default_plan
from pipeline.records.needs import ecm_needs
from schemas.retention import DEFAULT_JURISDICTION

DOC = Path(__file__).resolve().parents[2] / "docs" / "going-live.md"


def test_the_guide_names_everything_the_check_checks() -> None:
    text = DOC.read_text()
    plan = default_plan()
    assert tuple(registry.flows()) == DEFAULT_FLOWS
    needs = ecm_needs(registry.flows().values(), plan)
    assert f"**{plan.category}**" in text
    for name, type_name in needs.attributes.items():
        assert re.search(rf"^\| {re.escape(name)} \| {type_name} \|", text, re.M), name
    for bo_type in needs.workspace_types:
        assert f"| `BigCommerce` | `{bo_type}` |" in text
    for path in needs.root_paths:
        assert re.search(rf"^\| {re.escape(path)} \|", text, re.M), path
    for xref_type in needs.xref_types:
        assert f"`{xref_type}`" in text
    rsi_list = text.split("So the server needs these RSIs:")[1].split("\n\n")[0]
    listed = set(re.findall(r"BCRM-[A-Z0-9-]+[A-Z0-9]", rsi_list))
    wanted = {rule.rsi_for(cc) for rule in plan.classes.values() for cc in rule.retention_years}
    assert listed == wanted
    for rule in plan.classes.values():
        row = re.search(
            rf"^\| {re.escape(rule.classification)} \| {rule.rsi} \| (.*) \|$", text, re.M
        )
        assert row, rule.classification
        overrides = {cc: y for cc, y in rule.retention_years.items() if cc != DEFAULT_JURISDICTION}
        for cc, years in overrides.items():
            assert f"{cc} {years}" in row.group(1), (rule.rsi, cc)
        assert f"({rule.retention_years[DEFAULT_JURISDICTION]}" in row.group(1)
