"""What BigCommerce answers, translated into the pipeline's two error kinds.

The stage base retries a TransientError after its `retry_after` and dead-letters a
PermanentError, so this module is the one place that decides which answers may pass on a
later try (reference §2.3, §10): timeouts, resets, 5xx and 429 may; 501/505 and the other
4xx will fail the same way every time and carry the API's own message for the operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from pipeline.core.errors import PermanentError, TransientError

# 501/505 mean the platform will never do this (DOC-ERR "log, don't retry"); 408 and 423
# are about the moment, not the request.
_PERMANENT_5XX = frozenset({501, 505})
_TRANSIENT_4XX = frozenset({408, 423})


class BigCommerceUnavailable(TransientError):
    """No usable answer: timeout, reset, 5xx, or a body that is not the JSON promised."""


class RateLimited(BigCommerceUnavailable):
    """The store's quota (or the platform) refused us; `retry_after` says when to try again."""


class BigCommerceRefused(PermanentError):
    """The API understood the request and refused it; `message` is the API's own text."""

    def __init__(
        self, status: int, message: str, route: str, errors: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{route} → {status}: {message}")
        self.status = status
        self.message = message
        self.route = route
        self.errors = dict(errors or {})


class AccessDenied(BigCommerceRefused):
    """401/403: the token is wrong, lacks a scope, or is for another store: fix the settings."""


class NotFound(BigCommerceRefused):
    """404: the order (or sub-resource) does not exist, e.g. deleted after it was listed."""


def api_message(body: Any) -> tuple[str, dict[str, Any]]:
    """The message and per-field errors from any of BigCommerce's error dialects.

    v2 sends `[{"status", "message"}]`, v3 `{"title", "errors": {field: msg}}`, pages
    `{"detail"}` or `errors: [str]`, promotions `{"errors": [{"title"}]}` and refunds
    `{"data": [{"title"}]}` (reference §10).
    """
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if isinstance(body, list):
        first = body[0] if body and isinstance(body[0], dict) else {}
        text = first.get("message") or first.get("title") or first.get("error") or ""
        return str(text), {}
    if not isinstance(body, dict):
        return "", {}
    errors = body.get("errors")
    if isinstance(errors, list):
        texts = [e.get("title", "") if isinstance(e, dict) else str(e) for e in errors]
        return "; ".join(str(t) for t in [body.get("title"), *texts] if t), {}
    text = body.get("title") or body.get("detail") or body.get("message") or ""
    return str(text), dict(errors) if isinstance(errors, dict) else {}


def header_retry_after(headers: Mapping[str, str], status: int) -> float | None:
    """Seconds the answer itself asks us to wait: for a 429 the longer of `X-Retry-After`
    and `Reset-Ms` (DOC-ERR); for a 5xx with no requests left, the rest of the window."""
    left = headers.get("X-Rate-Limit-Requests-Left")
    reset_s = _number(headers.get("X-Rate-Limit-Time-Reset-Ms")) / 1000
    if status == 429:
        wait = max(_number(headers.get("X-Retry-After")), reset_s)
        return wait or None
    if status >= 500 and left is not None and _number(left) <= 0:
        return reset_s or None
    return None


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else 0.0
    except ValueError:
        return 0.0


def from_response(
    response: requests.Response, route: str, retry_after: float | None = None
) -> Exception:
    """The exception for a non-2xx answer; `retry_after` is the wait already decided
    (by the rate governor, or from the answer's own headers)."""
    status = response.status_code
    try:
        message, errors = api_message(response.json())
    except ValueError:
        message, errors = "", {}
    message = message or response.reason or f"HTTP {status}"
    if status == 429:
        return RateLimited(f"{route} → 429: {message}", retry_after)
    if (status >= 500 and status not in _PERMANENT_5XX) or status in _TRANSIENT_4XX:
        return BigCommerceUnavailable(f"{route} → {status}: {message}", retry_after)
    if status in (401, 403):
        return AccessDenied(status, message, route, errors)
    if status == 404:
        return NotFound(status, message, route, errors)
    return BigCommerceRefused(status, message, route, errors)


def from_transport(error: requests.RequestException, route: str) -> BigCommerceUnavailable:
    """Timeouts and resets never reached an answer: always worth another try.

    The message names the exception type only: requests' texts repeat the URL, and a
    URL may carry filters with customer data (an email address).
    """
    return BigCommerceUnavailable(f"{route}: {type(error).__name__}")
