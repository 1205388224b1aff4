"""`bcrm config`: the effective configuration, secrets masked."""

from __future__ import annotations

import json

import click

from pipeline.runtime.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def config(as_json: bool) -> None:
    """Print the effective configuration, secrets masked."""
    shown = load_settings().masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    width = max(len(k) for k in shown)
    for name, value in shown.items():
        click.echo(f"{name:<{width}}  {'(unset)' if value is None else value}")
