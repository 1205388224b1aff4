"""The seed names what `retention.toml` names: classification paths, RSIs, folders, category.

If the file plan in `retention.toml` changes, this test says which seed entry in
`sandbox/otcs/seed.py` must follow, before the pipeline meets a 400 in a demo.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from sandbox.otcs.repository import RM_CLASSIFICATION
from sandbox.otcs.seed import FILE_PLAN_ID, WORKSPACE_TYPES, build_repository

RETENTION = Path(__file__).resolve().parents[2] / "retention.toml"


def test_retention_plan_names_exist_in_the_seed() -> None:
    plan = tomllib.loads(RETENTION.read_text())
    repo = build_repository()
    file_plan = repo.nodes[FILE_PLAN_ID]
    classes = {
        repo.path(n).removeprefix(file_plan.name + "/"): n
        for n in repo.nodes.values()
        if n.type == RM_CLASSIFICATION
    }
    folders = {f for wtype in WORKSPACE_TYPES for f in wtype["folders"]}
    folders |= {child.name for child in repo.children(repo.nodes[2000])}
    assert plan["category"]["name"] in {d.name for d in repo.category_defs.values()}
    for kind, rule in plan["classes"].items():
        node = classes.get(rule["classification"])
        assert node is not None, f"{kind}: no classification {rule['classification']!r}"
        assert node.extra["rsi"] == rule["rsi"], f"{kind}: RSI differs"
        assert rule["rsi"] in repo.rsis, f"{kind}: RSI {rule['rsi']!r} not seeded"
        assert rule["folder"] in folders, f"{kind}: folder {rule['folder']!r} not seeded"
        assert (node.extra["essential"] == "VR") == rule["vital"], f"{kind}: vital flag differs"
        for jurisdiction, years in rule["retention_years"].items():
            code = rule["rsi"] if jurisdiction == "default" else f"{rule['rsi']}-{jurisdiction}"
            assert code in repo.rsis, f"{kind}: RSI {code!r} not seeded"
            assert repo.rsis[code]["stages"][0]["RetYears"] == years, f"{code}: period differs"
