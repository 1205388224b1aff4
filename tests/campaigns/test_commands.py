"""`bcrm campaigns` refuses bad input with one line and exit 2, before it asks anyone."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import main

ENV = {"BCRM_BIGCOMMERCE_STORES": "abc:tok", "BCRM_OTCS_URL": "", "BCRM_OTCS_USERNAME": ""}
BASE = ["campaigns", "file", "--store", "abc", "--name", "Winter"]


WINDOW = ["--start", "2026-12-01", "--end", "2026-12-05"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--start", "2026-12-05", "--end", "2026-12-01"],
            "--end (2026-12-01T00:00:00+00:00) is not after --start",
        ),
        (["--start", "soon", "--end", "2026-12-01"], "'soon' is not an ISO 8601 date or time"),
        ([*WINDOW, "--max-discount", "150"], "--max-discount '150' must be 0 to 100"),
        ([*WINDOW, "--country", "GER"], "--country 'GER': expected a 2-letter code"),
        ([*WINDOW, "--currency", "E"], "--currency 'E': expected a 3-letter code"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], said: str) -> None:
    done = CliRunner().invoke(main, [*BASE, *args], env=ENV)
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [f"bcrm: {said}"]


def test_an_unknown_store_is_refused() -> None:
    args = ["campaigns", "link", "--store", "nope", "3", "--promotion", "7"]
    done = CliRunner().invoke(main, args, env=ENV)
    assert done.exit_code == 2
    assert done.output.startswith("bcrm: ") and "nope" in done.output
