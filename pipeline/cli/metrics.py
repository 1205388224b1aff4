"""`bcrm metrics serve|show`: the fleet's Prometheus metrics (see `pipeline/ops/metrics.py`)."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import TYPE_CHECKING

import click

from pipeline.cli.exits import EXIT_USAGE
from pipeline.cli.options import is_loopback, listening
from pipeline.runtime.log import configure_logging
from pipeline.runtime.session import connected
from pipeline.runtime.settings import Settings, load_settings

if TYPE_CHECKING:
    from prometheus_client.registry import CollectorRegistry


def _registry(config: Settings) -> CollectorRegistry:
    """The fleet's metrics on the session's Redis; a Redis that does not answer now is
    refused here (one line, exit 2) rather than served as `bcrm_redis_up 0`. The flows
    are imported here too, so the first scrape does not wait seconds for them."""
    from pipeline.core import registry
    from pipeline.ops.metrics import fleet_registry
    from pipeline.runtime import redis_client

    redis_client().ping()
    registry.flows()
    return fleet_registry(redis_client(), sorted(config.store_tokens))


def _until_signalled() -> None:
    """Block the main thread until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


@click.group()
def metrics() -> None:
    """Prometheus metrics of the whole fleet, read from Redis at scrape time."""


@metrics.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=9808, show_default=True, help="Port (0: any free port).")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on a non-loopback --host too (the metrics have no authentication).",
)
@listening
def serve(host: str, port: int, allow_remote: bool) -> None:
    """Serve the metrics over HTTP for Prometheus until SIGINT or SIGTERM.

    Prints one JSON line with the URL once listening. Refuses a non-loopback host unless
    --allow-remote is given: the metrics name stores and volumes, and carry no login.
    """
    from prometheus_client import start_http_server

    if not (allow_remote or is_loopback(host)):
        click.echo(
            f"bcrm metrics: {host} is not a loopback address; "
            "--allow-remote listens there anyway (no authentication)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    config = load_settings()
    configure_logging(config.log_level)
    with connected(config):
        registry = _registry(config)
        server, _ = start_http_server(port, addr=host, registry=registry)
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{server.server_port}/metrics"
        click.echo(json.dumps({"event": "metrics.listening", "url": url}))
        sys.stdout.flush()
        try:
            _until_signalled()
        finally:
            server.shutdown()
            server.server_close()


@metrics.command()
def show() -> None:
    """Print the metrics once, in the text format a Prometheus scrape gets."""
    from prometheus_client import generate_latest

    config = load_settings()
    with connected(config):
        click.echo(generate_latest(_registry(config)).decode(), nl=False)
