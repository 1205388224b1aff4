"""The receiver's configuration: a plain value passed to the app factory.

Tests and the benchmark build it directly; `from_env` reads the `BCRM_WEBHOOK_*` variables
until they join `pipeline.settings.Settings` (which refuses names it does not know, so
`settings_env` hides them from it meanwhile, and `from_env` refuses unknown ones itself).
Serving without any authentication is refused, because an open endpoint lets anyone make
us hammer the BigCommerce API.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_SECRET_HEADER = "X-Bcrm-Webhook-Secret"
ENV_PREFIX = "BCRM_WEBHOOK_"
NAMES = frozenset(
    ENV_PREFIX + name
    for name in (
        "SECRET",
        "SECRET_HEADER",
        "SIGNING_SECRETS",
        "TOLERANCE",
        "MAX_BODY_BYTES",
        "READ_TIMEOUT",
        "DEDUP_TTL",
        "STORES",
    )
)


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
    # Only these store hashes are served; empty means any authenticated store.
    stores: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.shared_secret and not self.signing_keys:
            raise WebhookConfigError(
                "set BCRM_WEBHOOK_SECRET and/or BCRM_WEBHOOK_SIGNING_SECRETS: "
                "the receiver does not accept unauthenticated deliveries"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhookConfig:
        env = os.environ if env is None else env
        unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in NAMES)
        if unknown:
            raise WebhookConfigError(
                f"{unknown[0]}: unknown setting (known: {', '.join(sorted(NAMES))})"
            )

        def get(name: str) -> str | None:
            return env.get(f"{ENV_PREFIX}{name}") or None

        def number(name: str, default: float, kind: type[int] | type[float] = int) -> float:
            raw = get(name)
            try:
                value = kind(raw) if raw is not None else default
            except ValueError:
                raise WebhookConfigError(f"{ENV_PREFIX}{name}: not a number: {raw!r}") from None
            if value <= 0:
                raise WebhookConfigError(f"{ENV_PREFIX}{name}: must be positive")
            return value

        return cls(
            shared_secret=get("SECRET"),
            secret_header=get("SECRET_HEADER") or DEFAULT_SECRET_HEADER,
            signing_keys=tuple(signing_key(s) for s in _items(get("SIGNING_SECRETS"))),
            timestamp_tolerance_s=int(number("TOLERANCE", cls.timestamp_tolerance_s)),
            max_body_bytes=int(number("MAX_BODY_BYTES", cls.max_body_bytes)),
            read_timeout_s=number("READ_TIMEOUT", cls.read_timeout_s, float),
            dedup_ttl_s=int(number("DEDUP_TTL", cls.dedup_ttl_s)),
            stores=frozenset(_items(get("STORES"))),
        )


def signing_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: base64 after an optional `whsec_`."""
    try:
        key = base64.b64decode(secret.strip().removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookConfigError(
            "BCRM_WEBHOOK_SIGNING_SECRETS: each entry is whsec_<base64>"
        ) from None
    if not key:
        raise WebhookConfigError("BCRM_WEBHOOK_SIGNING_SECRETS: empty key")
    return key


def settings_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without `BCRM_WEBHOOK_*`, for `load_settings` until it knows them."""
    env = os.environ if env is None else env
    return {k: v for k, v in env.items() if not k.startswith(ENV_PREFIX)}


def _items(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]
