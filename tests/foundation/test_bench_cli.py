"""`bcrm bench --list`: every benchmark under bench/ is reachable by name, and every name
runs a script that exists (the benchmarks themselves are not tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.cli.bench import BENCH_DIR, BENCHMARKS

HELPERS = {"harness.py", "servers.py", "recall_index.py"}


def test_list_names_every_benchmark_script() -> None:
    result = CliRunner().invoke(main, ["bench", "--list"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.splitlines()}
    assert listed == set(BENCHMARKS)
    scripts = {b.script for b in BENCHMARKS.values()}
    assert all((BENCH_DIR / s).is_file() for s in scripts)
    assert scripts == {p.name for p in BENCH_DIR.glob("*.py")} - HELPERS


@pytest.mark.parametrize("script", sorted({b.script for b in BENCHMARKS.values()}))
def test_every_benchmark_starts(script: str) -> None:
    """Each script loads what it imports (a refactoring that moves a module it uses must
    not leave a benchmark that dies at its first line)."""
    done = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
