"""The `bcrm` command line."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """bcrm: BigCommerce commerce records into OpenText Extended ECM Records Management."""


@main.group()
def sandbox() -> None:
    """Run the local emulators (BigCommerce, OTCS) as real HTTP servers."""


def _register_sandbox_commands() -> None:
    """Each emulator package owns its command; the CLI only mounts it."""
    from sandbox.bigcommerce.cli import command as bigcommerce_command
    from sandbox.otcs.cli import command as otcs_command

    sandbox.add_command(bigcommerce_command, "bigcommerce")
    sandbox.add_command(otcs_command, "otcs")
