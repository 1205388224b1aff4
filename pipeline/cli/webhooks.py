"""`bcrm webhooks serve|register`."""

from __future__ import annotations

import json
import sys

import click

from pipeline.cli.exits import EXIT_USAGE
from pipeline.cli.options import OperatorError, listening
from pipeline.core.errors import PermanentError, TransientError
from pipeline.integrations.webhooks.config import WebhookConfig, WebhookConfigError
from pipeline.runtime.log import configure_logging
from pipeline.runtime.settings import Settings, SettingsError, load_settings
from schemas.webhooks import REGISTERED_SCOPES


def _configuration() -> tuple[Settings, WebhookConfig]:
    """Both halves of the configuration, or one line on stderr and exit 2."""
    try:
        settings = load_settings()
        return settings, WebhookConfig.from_settings(settings)
    except (SettingsError, WebhookConfigError) as exc:
        click.echo(f"bcrm: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group()
def webhooks() -> None:
    """Receive BigCommerce webhooks and register the hooks that send them."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port (0: any free port).")
@listening
def serve(host: str, port: int) -> None:
    """Serve POST /webhooks/bigcommerce until SIGINT or SIGTERM.

    Prints one JSON line with the URL once listening. Each accepted delivery is queued
    for fetch before the 2xx goes out. BigCommerce only delivers over HTTPS to port 443,
    so run it behind a TLS-terminating proxy.
    """
    from pipeline.integrations.webhooks.receiver import PATH
    from pipeline.integrations.webhooks.server import run_until_signalled
    from pipeline.runtime.session import connected

    settings, config = _configuration()
    configure_logging(settings.log_level)

    def announce(url: str) -> None:
        click.echo(json.dumps({"event": "webhooks.listening", "url": url + PATH}))
        sys.stdout.flush()

    with connected(settings) as redis_url:
        run_until_signalled(config, redis_url, host, port, announce)


@webhooks.command()
@click.option("--destination", required=True, help="Public HTTPS URL of the receiver.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help=(
        f"Hook scope (repeatable). Default: {', '.join(REGISTERED_SCOPES)}, and with the "
        "disclosures flow in BCRM_FLOWS every channel's page and settings change scopes."
    ),
)
def register(destination: str, scopes: tuple[str, ...]) -> None:
    """Create or update the hooks of every store in BCRM_BIGCOMMERCE_STORES.

    Idempotent: one hook per scope and destination; re-running only re-activates hooks
    BigCommerce deactivated and rotates the shared-secret header. Prints one JSON line
    per hook.
    """
    from pipeline.integrations.bigcommerce import BigCommerceClient
    from pipeline.integrations.webhooks.register import default_scopes, register_hooks

    settings, config = _configuration()
    headers = {config.secret_header: config.shared_secret} if config.shared_secret else {}
    if not settings.store_tokens:
        click.echo("bcrm: no stores configured (BCRM_BIGCOMMERCE_STORES)", err=True)
        sys.exit(EXIT_USAGE)
    api_url = settings.bigcommerce_api_url.rstrip("/")
    for store_hash, token in settings.store_tokens.items():
        # No rate governor: a handful of calls, and no Redis needed to register.
        with BigCommerceClient(
            f"{api_url}/stores/{store_hash}", token, governor=None, verify=settings.tls_verify
        ) as client:
            try:
                wanted = scopes or default_scopes(client, "disclosures" in settings.flow_names)
                changes = register_hooks(client, store_hash, destination, wanted, headers)
            except (PermanentError, TransientError) as exc:
                # The store refused (a token without the hooks scope, a destination it
                # does not deliver to) or did not answer: say which store and why.
                raise OperatorError(
                    f"store {store_hash} did not register the hooks: {exc}"
                ) from None
            for change in changes:
                click.echo(json.dumps(change.to_json()))
