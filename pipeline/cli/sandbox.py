"""`bcrm sandbox bigcommerce|otcs`: the emulators as real HTTP servers."""

from __future__ import annotations

import importlib
from typing import ClassVar

import click

from pipeline.cli.options import listening


class _Sandbox(click.Group):
    """Each emulator owns its command; import it only when asked (aiohttp is slow to load)."""

    modules: ClassVar[dict[str, str]] = {
        "bigcommerce": "sandbox.bigcommerce.cli",
        "otcs": "sandbox.otcs.cli",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.modules)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.modules:
            return None
        command: click.Command = importlib.import_module(self.modules[name]).command
        # A port in use or out of range is one line and exit 2, as for every bcrm server.
        if command.callback is not None and not hasattr(command.callback, "__wrapped__"):
            command.callback = listening(command.callback)
        return command


@click.group(cls=_Sandbox)
def sandbox() -> None:
    """Run the local emulators (BigCommerce, OTCS) as real HTTP servers."""
