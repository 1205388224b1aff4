"""`bcrm status`: is work flowing, and where is it stuck?"""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(as_json: bool) -> None:
    """Queue depths, unacknowledged messages, ledger counts, dead letters and, per store,
    how far polling lags behind (seconds since each checkpoint) and how many polls ran;
    then what needs attention and the command that deals with it."""
    with connected(load_settings()):
        from pipeline.ops.status import attention, collect_status

        # Sections are keyed by name, except `attention`, which is numbered.
        report: dict[str, dict[Any, Any]] = collect_status()
        report["attention"] = dict(enumerate(attention(report), start=1))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for section, values in report.items():
        click.echo(f"{section}:")
        for name, value in values.items():
            shown = (
                " ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
            )
            click.echo(f"  {name:<16} {shown}")
