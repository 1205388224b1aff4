"""Who sent a delivery: the shared-secret header and the Standard Webhooks signature.

The shared secret is the custom header `bcrm webhooks register` gives each hook (the
mechanism BigCommerce documents as confirmed). The signature follows the Standard Webhooks
spec the BigCommerce docs now cite: `webhook-signature` holds space-separated `v1,<base64
HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` entries and any valid one suffices, which is
how keys rotate. Every comparison is constant-time so response timing leaks no secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from pipeline.integrations.webhooks.errors import Rejected


class AuthenticationError(Rejected):
    """The delivery is not provably from BigCommerce (401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, "unauthenticated", reason)


def _raw(value: str) -> bytes:
    """A header value as the bytes that were sent. aiohttp keeps bytes that are not UTF-8
    as lone surrogates, which a plain `encode()` refuses with an exception (a 500 for
    what is only a wrong credential); surrogateescape restores them, so they just fail
    to match."""
    return value.encode("utf-8", "surrogateescape")


def check_shared_secret(headers: Mapping[str, str], header: str, secret: str) -> None:
    presented = headers.get(header)
    if presented is None:
        raise AuthenticationError(f"missing {header} header")
    if not hmac.compare_digest(_raw(presented), secret.encode()):
        raise AuthenticationError(f"wrong {header} header")


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The base64 `v1` HMAC of one delivery, as a sender puts it after `v1,` (the chaos
    scenarios sign what they send with it, so sender and checker cannot drift apart)."""
    signed = _raw(f"{msg_id}.{timestamp}.") + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def check_signature(
    headers: Mapping[str, str],
    body: bytes,
    keys: tuple[bytes, ...],
    tolerance_s: int,
    now: float | None = None,
) -> None:
    """Raise unless one of `keys` signed `body` within `tolerance_s` of now (either way:
    a timestamp from the future is as suspect as a replayed old one)."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise AuthenticationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent_at = int(stamp)
    except ValueError:
        raise AuthenticationError("webhook-timestamp is not unix seconds") from None
    if abs((time.time() if now is None else now) - sent_at) > tolerance_s:
        raise AuthenticationError("stale webhook-timestamp")
    expected = [signature(key, msg_id, sent_at, body).encode() for key in keys]
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        candidate = _raw(value)
        # Check every key without stopping early: timing must not tell which key matched.
        if sum(hmac.compare_digest(candidate, e) for e in expected):
            return
    raise AuthenticationError("no valid webhook-signature")
