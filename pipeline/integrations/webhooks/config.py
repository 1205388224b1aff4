"""The receiver's configuration: a plain value passed to the app factory.

Tests and the benchmark build it directly; commands take it from the `BCRM_WEBHOOK_*`
settings. Serving without any authentication is refused, because an open endpoint lets
anyone make us hammer the BigCommerce API.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.runtime.settings import Settings, SettingsError, load_settings

DEFAULT_SECRET_HEADER = "X-Bcrm-Webhook-Secret"


class WebhookConfigError(ValueError):
    """A webhook setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class WebhookConfig:
    # Secrets stay out of repr, so a logged or printed config cannot leak them.
    shared_secret: str | None = field(default=None, repr=False)
    secret_header: str = DEFAULT_SECRET_HEADER
    # Standard Webhooks keys (the bytes behind `whsec_...`); any one may have signed.
    signing_keys: tuple[bytes, ...] = field(default=(), repr=False)
    timestamp_tolerance_s: int = 300
    max_body_bytes: int = 16 * 1024
    read_timeout_s: float = 10.0
    # Longer than BigCommerce's ~48 h retry span, so a late retry is still recognised.
    dedup_ttl_s: int = 72 * 3600
    # Only these store hashes are served. Empty means any authenticated store, for tests
    # that build the value directly; `from_settings` never leaves it empty.
    stores: frozenset[str] = frozenset()
    # Helpdesk case deliveries (`POST /cases`): served only when keys are set.
    case_signing_keys: tuple[bytes, ...] = field(default=(), repr=False)
    case_max_attachment_bytes: int = 5 * 1024 * 1024

    def __post_init__(self) -> None:
        if not self.shared_secret and not self.signing_keys:
            raise WebhookConfigError(
                "set BCRM_WEBHOOK_SECRET and/or BCRM_WEBHOOK_SIGNING_SECRETS: "
                "the receiver does not accept unauthenticated deliveries"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig:
        """The receiver serves `BCRM_WEBHOOK_STORES`, by default the stores we archive
        (`BCRM_BIGCOMMERCE_STORES`); with neither set it refuses to start, since a delivery
        for a store we hold no token for could never be fetched."""
        config = cls(
            shared_secret=settings.webhook_secret,
            secret_header=settings.webhook_secret_header,
            signing_keys=tuple(signing_key(s) for s in _items(settings.webhook_signing_secrets)),
            timestamp_tolerance_s=settings.webhook_tolerance,
            max_body_bytes=settings.webhook_max_body_bytes,
            read_timeout_s=settings.webhook_read_timeout,
            dedup_ttl_s=settings.webhook_dedup_ttl,
            stores=frozenset(_items(settings.webhook_stores) or settings.store_tokens),
            case_signing_keys=tuple(
                signing_key(s, "BCRM_CASES_SIGNING_SECRETS")
                for s in _items(settings.cases_signing_secrets)
            ),
            case_max_attachment_bytes=settings.case_max_attachment_bytes,
        )
        if not config.stores:
            raise WebhookConfigError(
                "no stores to serve: set BCRM_BIGCOMMERCE_STORES (or BCRM_WEBHOOK_STORES, "
                "hash[,hash…], on a receiver that holds no store tokens)"
            )
        return config

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhookConfig:
        """From the environment alone (no `.env`), with errors naming the variable."""
        try:
            return cls.from_settings(load_settings(env, env_file=None))
        except SettingsError as exc:
            raise WebhookConfigError(str(exc)) from None


def signing_key(secret: str, variable: str = "BCRM_WEBHOOK_SIGNING_SECRETS") -> bytes:
    """The HMAC key of a Standard Webhooks secret: base64 after an optional `whsec_`."""
    try:
        key = base64.b64decode(secret.strip().removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookConfigError(f"{variable}: each entry is whsec_<base64>") from None
    if not key:
        raise WebhookConfigError(f"{variable}: empty key")
    return key


def _items(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]
