"""`bcrm disclosures`: an operator's mistake is one line and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

BCRM = [sys.executable, "-m", "pipeline.cli", "disclosures"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["as-of", "--store", "s1"], "give exactly one of --order N and --at ISO8601"),
        (["as-of", "--store", "s1", "--order", "1", "--at", "2026-01-01"], "exactly one of"),
        (["as-of", "--store", "s1", "--at", "yesterday"], "is not an ISO 8601 date or time"),
        (["as-of", "--store", "s1", "--order", "424242"], "is not in the archive index"),
        (["diff", "999991", "999992"], "node 999991 is no disclosure version"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = subprocess.run([*BCRM, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_answer_for_a_store_never_looked_at_is_empty_json() -> None:
    done = subprocess.run(
        [*BCRM, "as-of", "--store", "n0ne", "--at", "2026-01-01T00:00:00Z", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"disclosures": []' in done.stdout and '"order_id": null' in done.stdout
