"""API accounts: tokens, their OAuth scopes, and the scope check per route.

A `_read_only` scope grants GET; the plain scope grants everything. Some routes accept one
of several scopes (refunds take the transactions or the orders scope), so a route names a
tuple of alternatives.
"""

from __future__ import annotations

import secrets
import string

from .errors import ApiError
from .model import Token

ALL_SCOPES = frozenset(
    {
        "store_v2_orders",
        "store_v2_transactions",
        "store_v2_products",
        "store_v2_marketing",
        "store_v2_content",
        "store_v2_customers",
        "store_v2_information",
        "store_channel_settings",
    }
)

_ALPHABET = string.ascii_lowercase + string.digits


def new_token(
    scopes: frozenset[str] | set[str] = ALL_SCOPES,
    *,
    client_secret: str | None = None,
    access_token: str | None = None,
) -> Token:
    """A fresh API account shaped like BigCommerce's (31-char token, 31-char client id)."""

    def rand() -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(31))

    return Token(
        access_token=access_token or rand(),
        client_id=rand(),
        scopes=frozenset(scopes),
        client_secret=client_secret,
    )


def check_scope(token: Token, required: tuple[str, ...], method: str) -> None:
    """403 unless the token holds one of `required` (or its read-only form for reads)."""
    if not required:
        return
    reading = method in ("GET", "HEAD")
    for scope in required:
        if scope in token.scopes or (reading and f"{scope}_read_only" in token.scopes):
            return
    raise ApiError(403, "You don't have a valid OAuth scope for this request.")
