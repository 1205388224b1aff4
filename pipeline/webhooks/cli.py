"""`bcrm webhooks serve|register`."""

from __future__ import annotations

import json
import sys

import click

from pipeline.settings import load_settings
from pipeline.webhooks.config import WebhookConfig, WebhookConfigError
from schemas.webhooks import REGISTERED_SCOPES

EXIT_USAGE = 2
DEFAULT_API_URL = "https://api.bigcommerce.com"


def _config() -> WebhookConfig:
    try:
        return WebhookConfig.from_env()
    except WebhookConfigError as exc:
        click.echo(f"bcrm: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group()
def webhooks() -> None:
    """Receive BigCommerce webhooks and register the hooks that send them."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port (0: any free port).")
def serve(host: str, port: int) -> None:
    """Serve POST /webhooks/bigcommerce until SIGINT or SIGTERM.

    Prints one JSON line with the URL once listening. Each accepted delivery is enqueued
    for fetch before the 2xx goes out; BigCommerce must reach it over HTTPS on port 443,
    so run it behind a TLS-terminating proxy.
    """
    from pipeline.session import connected
    from pipeline.webhooks.receiver import PATH
    from pipeline.webhooks.server import run_until_signalled

    config = _config()

    def announce(url: str) -> None:
        click.echo(json.dumps({"event": "webhooks.listening", "url": url + PATH}), nl=True)
        sys.stdout.flush()

    with connected(load_settings()) as redis_url:
        try:
            run_until_signalled(config, redis_url, host, port, announce)
        except OSError as exc:
            click.echo(f"bcrm: cannot listen on {host}:{port}: {exc.strerror}", err=True)
            sys.exit(EXIT_USAGE)


@webhooks.command()
@click.option("--destination", required=True, help="Public HTTPS URL of the receiver.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=REGISTERED_SCOPES,
    show_default=True,
    help="Hook scope (repeatable).",
)
@click.option(
    "--api-url",
    envvar="BCRM_BIGCOMMERCE_API_URL",
    default=DEFAULT_API_URL,
    show_default=True,
    help="API root (an emulator's for tests).",
)
def register(destination: str, scopes: tuple[str, ...], api_url: str) -> None:
    """Create or update the hooks of every configured store (BCRM_BIGCOMMERCE_STORES).

    Idempotent: one hook per scope and destination; re-running only re-activates hooks
    BigCommerce deactivated and rotates the shared-secret header. Prints one JSON line
    per hook.
    """
    from pipeline.bigcommerce import BigCommerceClient
    from pipeline.webhooks.register import register_hooks, store_accounts_from_env

    config = _config()
    headers = {config.secret_header: config.shared_secret} if config.shared_secret else {}
    try:
        accounts = store_accounts_from_env()
    except ValueError as exc:
        click.echo(f"bcrm: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if not accounts:
        click.echo("bcrm: no stores configured (BCRM_BIGCOMMERCE_STORES)", err=True)
        sys.exit(EXIT_USAGE)
    for account in accounts:
        with BigCommerceClient(
            account.base_url(api_url), account.access_token, governor=None
        ) as client:
            for change in register_hooks(client, account.store_hash, destination, scopes, headers):
                click.echo(json.dumps(change.to_json()))
