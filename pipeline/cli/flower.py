"""`bcrm flower`: the monitoring UI, never unauthenticated by accident."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from pipeline.cli.exits import EXIT_USAGE
from pipeline.cli.options import check_can_listen, is_loopback, listening
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


def _refuse(message: str) -> NoReturn:
    click.echo(f"bcrm flower: {message}", err=True)
    sys.exit(EXIT_USAGE)


# Flower's handlers whose GET this process already put behind the login.
_BEHIND_LOGIN: set[type] = set()


def _probes_behind_login() -> None:
    """Flower serves /metrics (worker names, task names and counts) and /healthcheck to
    anyone, even with basic auth on: ask them for the same login as every other page.
    Flower runs in this process, so its handlers are wrapped here, once."""
    from flower.views import monitor  # type: ignore[import-untyped]  # Flower ships no types
    from tornado import web

    for handler in (monitor.Metrics, monitor.Healthcheck):
        if handler not in _BEHIND_LOGIN:
            handler.get = web.authenticated(handler.get)
            _BEHIND_LOGIN.add(handler)


@click.command()
@click.option("--port", type=int, default=5555, show_default=True, help="HTTP port.")
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--insecure-loopback",
    is_flag=True,
    help="Run without authentication; only allowed on a loopback address.",
)
@click.option(
    "--open-probes",
    is_flag=True,
    help="Serve /metrics and /healthcheck without authentication (for a scraper or load "
    "balancer that cannot log in); the rest of Flower keeps its login.",
)
@listening
def flower(port: int, address: str, insecure_loopback: bool, open_probes: bool) -> None:
    """Run Flower (`celery -A pipeline flower`) on the configured Redis, with basic auth
    from BCRM_FLOWER_BASIC_AUTH on every page, /metrics and /healthcheck included (unless
    --open-probes). Without credentials it refuses to start, unless --insecure-loopback is
    given and the address is a loopback one."""
    config = load_settings()
    credentials = config.flower_basic_auth
    if credentials is None and not (insecure_loopback and is_loopback(address)):
        _refuse(
            "BCRM_FLOWER_BASIC_AUTH is not set (user:password); "
            "--insecure-loopback runs without it on a loopback address only"
        )
    # Flower prints its banner before it binds, and a failed bind as a traceback.
    check_can_listen(address, port)
    # Flower reads FLOWER_* variables; the environment keeps the password off `ps`.
    os.environ.pop("FLOWER_BASIC_AUTH", None)
    if credentials is not None:
        os.environ["FLOWER_BASIC_AUTH"] = credentials
    if not open_probes:
        _probes_behind_login()
    with connected(config):
        from pipeline.celery import app

        app.start(["flower", f"--port={port}", f"--address={address}"])
