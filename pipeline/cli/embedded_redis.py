"""`bcrm redis start|stop|status`: the embedded Redis of the data dir."""

from __future__ import annotations

import json
import sys

import click

from pipeline.cli.exits import EXIT_FAILED
from pipeline.runtime.embedded_redis import EmbeddedRedis
from pipeline.runtime.settings import load_settings


@click.group(name="redis")
def redis_group() -> None:
    """Manage the embedded Redis (used when BCRM_REDIS_URL is not set)."""


@redis_group.command(name="start")
def redis_start() -> None:
    """Start the embedded Redis in the background (or report the running one)."""
    embedded = EmbeddedRedis(load_settings().data_path)
    if not embedded.find_running():
        embedded.start()
    click.echo(json.dumps({"url": embedded.url, "pid": embedded.pid}))


@redis_group.command(name="stop")
def redis_stop() -> None:
    """Stop the embedded Redis for this data dir, flushing its AOF."""
    embedded = EmbeddedRedis(load_settings().data_path)
    if not embedded.find_running():
        click.echo("no embedded Redis running")
        return
    embedded.stop(force=True)
    click.echo(f"stopped {embedded.url}")


@redis_group.command(name="status")
def redis_status() -> None:
    """Say whether the embedded Redis runs, and where."""
    embedded = EmbeddedRedis(load_settings().data_path)
    running = embedded.find_running()
    click.echo(json.dumps({"running": running, "url": embedded.url if running else None}))
    sys.exit(0 if running else EXIT_FAILED)
