"""`bcrm sandbox bigcommerce`: run the emulator as a process.

Prints one JSON line (`base_url`, `store_hash`, `access_token`, `admin_url`) once listening,
so a parent process can read it and connect, then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import json
import signal
import sys
import threading

import click

from .server import BigCommerceEmulator


@click.command(help="Run the BigCommerce emulator (REST v2/v3, webhooks, admin API).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=0, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option("--orders", default=1000, show_default=True, type=int, help="Orders to seed.")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed for the data.")
@click.option("--store-hash", default=None, help="Store hash (default: derived from --seed).")
@click.option(
    "--quota",
    default=150,
    show_default=True,
    type=int,
    help="Requests per window for the store; 0 = unlimited.",
)
@click.option(
    "--window-ms",
    default=30_000,
    show_default=True,
    type=int,
    help="Rate-limit window in milliseconds.",
)
@click.option(
    "--allow-http-hooks",
    is_flag=True,
    help="Accept plain http:// webhook destinations on any port (real API: HTTPS on 443).",
)
def command(
    host: str,
    port: int,
    orders: int,
    seed: int,
    store_hash: str | None,
    quota: int,
    window_ms: int,
    allow_http_hooks: bool,
) -> None:
    emulator = BigCommerceEmulator(
        orders=orders,
        seed=seed,
        store_hash=store_hash,
        quota=quota or None,
        window_ms=window_ms,
        host=host,
        port=port,
        allow_plain_http_hooks=allow_http_hooks,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    emulator.start()
    try:
        sys.stdout.write(json.dumps(emulator.info()) + "\n")
        sys.stdout.flush()
        stop.wait()
    finally:
        emulator.stop()
