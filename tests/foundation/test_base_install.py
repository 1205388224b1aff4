"""`pip install -e .` alone must run every command: no module of ours may import, at load
time, a package that only the test or ops extras install (a scenario importing the test
suite's PDF reader once broke `bcrm` itself on a fresh machine)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipeline", "tasks", "sandbox", "schemas")
# Import names of what only the extras bring (distribution name → module name).
IMPORT_NAMES = {"fakeredis[lua]": "fakeredis", "pyyaml": "yaml"}


def _extras_only() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = {_name(d) for d in project["dependencies"]}
    extras = {_name(d) for group in project["optional-dependencies"].values() for d in group}
    return {IMPORT_NAMES.get(d, d) for d in extras - base if not d.startswith("bcrm")}


def _name(requirement: str) -> str:
    for separator in "<>=!~; ":
        requirement = requirement.split(separator)[0]
    return requirement.lower()


def test_flower_comes_with_the_base_install() -> None:
    """`bcrm flower` must work after README command 1, which installs no extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "flower" in {_name(d) for d in project["dependencies"]}


def test_every_module_loads_without_the_extras() -> None:
    blocked = sorted(_extras_only())
    assert "pytest" in blocked and "fakeredis" in blocked and "flower" not in blocked
    script = f"""
import importlib, pkgutil, sys
for name in {blocked!r}:
    sys.modules[name] = None  # importing it now raises ImportError
for package in {PACKAGES!r}:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
import celeryconfig
from click.testing import CliRunner
from pipeline.cli import main
result = CliRunner().invoke(main, ["chaos", "--list"])
assert result.exit_code == 0, result.output
import flower  # the base install brings Flower
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
