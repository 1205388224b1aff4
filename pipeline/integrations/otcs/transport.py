"""One requests.Session, one place for auth, request encoding and error translation.

Every operation module calls `request` (JSON answers) or `_send` (raw answers such
as content downloads). Writes are never retried here, except the single re-login on
401: the stage base owns the retry policy, and a hidden retry of a POST whose answer
was lost could create what the stage's own retry then finds as a collision.

Reads are the one exception (`_read`): a GET answered with a 5xx, an HTML page or a
reset is repeated in place a couple of times. It cannot create anything, and
without it a declare, a dozen reads around a few writes that restarts from scratch on
any failure, almost never gets through an ECM failing one call in four (0.75**12 ≈ 3 %
per attempt): most records were dead-lettered there (chaos ecm) instead of declared.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import requests

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import (
    AuthenticationFailed,
    OTCSTimeout,
    OTCSUnavailable,
    TicketRejected,
    from_status,
)
from pipeline.integrations.otcs.tickets import MemoryTicketStore, TicketStore
from pipeline.runtime.log import log_event

T = TypeVar("T")
Files = Mapping[str, tuple[str, bytes, str]]

# Transport failures worth another try; anything else from requests is a bug or bad config.
NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


# Tries of one read before its failure goes to the stage's retry policy, and the jittered
# pause before the n-th repeat (up to n times this): short, the stage backs off for real.
READ_TRIES = 3
READ_PAUSE_S = 0.25


def _json_default(value: Any) -> str:
    """Dates travel as `YYYY-MM-DD`, datetimes as ISO-8601 (reference §6)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to OTCS")


def _field(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return _json_default(value)
    return str(value)


def encode_form(
    body: Mapping[str, Any] | None = None, fields: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Form fields for a call: flat `fields`, plus `body` as one JSON-string field.

    Content Server takes no JSON request bodies; nested values (roles, categories)
    must travel as the JSON text of a form field literally named `body` (reference §1).
    None values are left out: some RM calls reject optional parameters sent empty.
    """
    form = {key: _field(value) for key, value in (fields or {}).items() if value is not None}
    if body is not None:
        clean = {key: value for key, value in body.items() if value is not None}
        form["body"] = json.dumps(clean, separators=(",", ":"), default=_json_default)
    return form


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_text(response: requests.Response) -> str:
    payload = _json_or_none(response)
    return envelopes.error_message(payload if payload is not None else response.text)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class Transport:
    """Connection, credentials and ticket handling shared by all operation mixins.

    Safe to share between threads: the ticket is swapped atomically and re-login goes
    through the ticket store, which lets one caller log in while the others wait.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        domain: str | None = None,
        ticket_store: TicketStore | None = None,
        timeout_s: float = 60.0,
        verify: bool | str = True,
        chunk_threshold_bytes: int = 16 * 1024**2,
        categories_volume_id: int = 2006,
        enterprise_workspace_id: int = 2000,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self._domain = domain
        self._tickets: TicketStore = ticket_store or MemoryTicketStore()
        self._ticket: str | None = None
        self.timeout_s = timeout_s
        self.chunk_threshold_bytes = chunk_threshold_bytes
        self.categories_volume_id = categories_volume_id
        self.enterprise_workspace_id = enterprise_workspace_id
        self.session = requests.Session()
        self.session.verify = verify
        self._cache: dict[Hashable, Any] = {}
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, user={self.username!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- tickets -------------------------------------------------------------------

    def _login(self) -> str:
        """POST /v1/auth with the account; only ever called by the ticket store."""
        route = "POST /v1/auth"
        form = encode_form(
            fields={"username": self.username, "password": self._password, "domain": self._domain}
        )
        response = self._http("POST", "v1/auth", None, data=form)
        if response.status_code == 401:
            raise AuthenticationFailed(401, _error_text(response), route)
        ticket = self._payload(response, route).get("ticket")
        if not isinstance(ticket, str) or not ticket:
            raise OTCSUnavailable(f"{route}: answer carried no ticket")
        log_event("otcs.login", base_url=self.base_url, username=self.username)
        return ticket

    def _fresh_ticket(self, stale: str | None) -> str:
        self._ticket = self._tickets.refresh(stale, self._login)
        return self._ticket

    def _ticket_to_use(self) -> str:
        ticket = self._ticket or self._tickets.current()
        if ticket is None:
            return self._fresh_ticket(None)
        self._ticket = ticket
        return ticket

    # -- requests ------------------------------------------------------------------

    def _http(self, method: str, path: str, ticket: str | None, **kwargs: Any) -> requests.Response:
        headers = {"OTCSTicket": ticket} if ticket else {}
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            return self.session.request(
                method, url, headers=headers, timeout=self.timeout_s, **kwargs
            )
        except requests.Timeout as error:
            raise OTCSTimeout(f"{method} /{path.lstrip('/')}: {error!r}") from error
        except NETWORK_ERRORS as error:
            raise OTCSUnavailable(f"{method} /{path.lstrip('/')}: {error!r}") from error

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One authenticated call; on 401 one fresh ticket (shared, see tickets.py) and retry."""
        ticket = self._ticket_to_use()
        response = self._http(method, path, ticket, **kwargs)
        if response.status_code != 401:
            return response
        response.close()
        log_event("otcs.ticket_rejected", base_url=self.base_url, route=f"{method} /{path}")
        response = self._http(method, path, self._fresh_ticket(ticket), **kwargs)
        if response.status_code == 401:
            response.close()
            raise TicketRejected(f"{method} /{path}: 401 again with a fresh ticket")
        return response

    def _payload(self, response: requests.Response, route: str) -> dict[str, Any]:
        """The JSON object of an answer; errors translated by `errors.from_status`.

        A 200 carrying HTML is a proxy or restart page (reference §4), not an answer.
        """
        if response.status_code >= 400:
            raise from_status(
                response.status_code, _error_text(response), route, _retry_after(response)
            )
        payload = _json_or_none(response)
        if not isinstance(payload, dict):
            kind = response.headers.get("Content-Type", "no content type")
            raise OTCSUnavailable(f"{route} → {response.status_code}: {kind} instead of JSON")
        return payload

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        files: Files | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call `path` (relative to the API root, e.g. `v2/nodes`) and return its JSON.

        `body` goes as the JSON `body` form field, `fields` as flat form fields, `files`
        as multipart parts (name → (file name, bytes, MIME type)).
        """
        path = path.lstrip("/")
        route = f"{method} /{path}"
        data = encode_form(body, fields) if body is not None or fields is not None else None

        def attempt() -> dict[str, Any]:
            response = self._send(method, path, data=data, files=files, params=params)
            log_event("otcs.request", logging.DEBUG, route=route, status=response.status_code)
            return self._payload(response, route)

        return self._read(route, attempt) if method == "GET" else attempt()

    def _read(self, route: str, attempt: Callable[[], T]) -> T:
        """Run a side-effect-free call, repeating it in place when it got an unusable
        answer (see the module docstring). Left to the stage: a timeout, which has spent
        the call's whole time budget already (repeating it would hold the task towards
        the visibility timeout), and a server that asked us to wait (Retry-After)."""
        for tries in range(1, READ_TRIES):
            try:
                return attempt()
            except OTCSUnavailable as error:
                if isinstance(error, OTCSTimeout) or error.retry_after is not None:
                    raise
                log_event("otcs.read_repeated", logging.INFO, route=route, tries=tries)
                time.sleep(random.uniform(0, READ_PAUSE_S * tries))
        return attempt()

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, limit: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every page of a listing, following whichever paging shape it uses."""
        page = 1
        while True:
            payload = self.request(
                "GET", path, params={**(params or {}), "page": page, "limit": limit}
            )
            yield payload
            if not envelopes.has_next_page(payload):
                return
            page += 1

    def _lookup(self, key: Hashable, load: Callable[[], T]) -> T:
        """File plan, category and workspace-type lookups: loaded once per client."""
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        value = load()
        with self._cache_lock:
            return self._cache.setdefault(key, value)
