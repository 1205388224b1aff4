"""`bcrm config`: the effective configuration, secrets masked."""

from __future__ import annotations

import json

import click

from pipeline.runtime.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def config(as_json: bool) -> None:
    """Print the effective configuration, secrets masked."""
    from pipeline.flows.commerce.sellers import configuration_warnings

    settings = load_settings()
    shown = settings.masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
    else:
        width = max(len(k) for k in shown)
        for name, value in shown.items():
            click.echo(f"{name:<{width}}  {'(unset)' if value is None else value}")
    for warning in configuration_warnings(settings.store_tokens):
        click.echo(f"warning: {warning}", err=True)
