"""Error bodies, in the dialect of the API family that raised them.

BigCommerce has no single error shape: v2 answers a JSON array, v3 a problem-like object,
and pages, promotions and refunds each have their own variant. Handlers raise `ApiError`
and the middleware renders it in the dialect of the route, so every error a client sees
(including 401/403/406/415/429 produced before the handler) has the shape it would get
from the real endpoint.
"""

from __future__ import annotations

import json
from enum import Enum

from aiohttp import web

STATUS_DOC_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

DEFAULT_TITLES = {
    400: "The request is malformed.",
    401: "You must be authenticated to access this resource.",
    403: "You don't have the required permissions to access this resource.",
    404: "The requested resource was not found.",
    405: "The requested method is not allowed on this resource.",
    406: "The requested content type is not supported.",
    409: "The request conflicts with the current state of the resource.",
    413: "The request payload is too large.",
    415: "The request content type is not supported. Use application/json.",
    422: "The request data is invalid.",
    429: "Too many requests. Please wait before retrying.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable.",
}


class Dialect(Enum):
    """Which error (and envelope) conventions a route follows."""

    V2 = "v2"
    V3 = "v3"
    PAGES = "pages"
    PROMOTIONS = "promotions"
    REFUNDS = "refunds"


class ApiError(Exception):
    """A client-visible error; `errors` carries per-field detail where the dialect has it."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        *,
        errors: dict[str, str] | list[str] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(title or DEFAULT_TITLES.get(status, "Error"))
        self.status = status
        self.title = title or DEFAULT_TITLES.get(status, "Error")
        self.errors = errors
        self.detail = detail


def error_response(err: ApiError, dialect: Dialect) -> web.Response:
    """Render `err` the way the real endpoint family does."""
    content_type = "application/json"
    body: object
    if dialect is Dialect.V2:
        body = [{"status": err.status, "message": err.title}]
    elif dialect is Dialect.PROMOTIONS:
        body = {"errors": [{"status": err.status, "title": err.title}]}
    elif dialect is Dialect.REFUNDS:
        body = {"data": [{"status": err.status, "title": err.title, "type": STATUS_DOC_URL}]}
    elif dialect is Dialect.PAGES:
        content_type = "application/problem+json"
        body = {"status": err.status, "title": err.title, "type": STATUS_DOC_URL}
        if isinstance(err.errors, list):
            body["errors"] = err.errors
        elif isinstance(err.errors, dict):
            body["errors"] = [f"{k}: {v}" for k, v in err.errors.items()]
        else:
            body["detail"] = err.detail or err.title
    else:
        body = {"status": err.status, "title": err.title, "type": STATUS_DOC_URL}
        if err.errors is not None:
            body["errors"] = err.errors
    return web.Response(
        status=err.status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type=content_type,
    )
