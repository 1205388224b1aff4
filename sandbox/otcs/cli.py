"""`bcrm sandbox otcs`: run the emulator until SIGINT/SIGTERM."""

from __future__ import annotations

import json
import signal
import threading

import click

from sandbox.otcs.server import OTCSEmulator


@click.command(name="otcs")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=0, show_default=True, help="TCP port; 0 picks a free one.")
@click.option(
    "--base-path", default="/otcs/cs.exe/api", show_default=True, help="REST API base path."
)
@click.option("--user", "username", default="admin", show_default=True, help="Login user name.")
@click.option("--password", default=None, help="Login password (random when omitted).")
def command(host: str, port: int, base_path: str, username: str, password: str | None) -> None:
    """Serve an OpenText Content Server REST API emulator; prints one JSON line when ready."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with OTCSEmulator(
        host=host, port=port, base_path=base_path, username=username, password=password
    ) as emulator:
        click.echo(json.dumps(emulator.startup_info()))
        stop.wait()


if __name__ == "__main__":
    command()
