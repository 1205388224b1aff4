"""What Content Server answers, translated into the pipeline's two error kinds.

Content Server reports most refusals as 400 or 500 with a `{"error": ...}` text, and
the same status means different things per call (a v2 name collision is a 500, a
missing node is a 400 on one route and a 500 on another, reference §4). So the
translation reads the message as well as the status, in this one module, and the
stage base sees only TransientError (retry) or PermanentError (dead-letter).
"""

from __future__ import annotations

import re

from pipeline.core.errors import PermanentError, TransientError


class OTCSRefused(PermanentError):
    """Content Server understood the call and refused it; repeating it will not help."""

    def __init__(self, status: int, message: str, route: str) -> None:
        """`status` 0 marks a refusal decided by the client from what the server showed."""
        super().__init__(f"{route} → {status}: {message}")
        self.status = status
        self.message = message
        self.route = route


class AuthenticationFailed(OTCSRefused):
    """The configured credentials were rejected: an operator must fix the settings."""


class NodeNotFound(OTCSRefused):
    """The node does not exist or this user may not see it (the server does not say which)."""


class AlreadyExists(OTCSRefused):
    """Something with this identity is already there: a name, a category, a link, a hold.

    Idempotent callers treat it as "done before" after checking what is there.
    """


class NameCollision(AlreadyExists):
    """A node with this name already exists in the container (v1 400, v2 500)."""


class RecordLocked(OTCSRefused):
    """Records Management forbids the change: the item is an official record or on hold."""


class NotConfigured(PermanentError):
    """A name our configuration relies on (file plan path, RSI, category, attribute,
    workspace type) does not exist on this server: fix the server or the config."""


class OTCSUnavailable(TransientError):
    """No usable answer: timeout, reset, 5xx, or an HTML page where JSON was due."""


class OTCSTimeout(OTCSUnavailable):
    """No answer within the client's timeout; the server may still complete the call."""


class TicketRejected(TransientError):
    """Still 401 after one fresh login: sessions are failing server-side, try later."""


class EditConflict(TransientError):
    """A stale `metadata_token` / `rm_metadataToken`: someone else changed it; re-read, retry."""


# Server texts (S1, S2, emulator choices in sandbox/otcs/__init__.py). Real wording is
# partly unconfirmed, so each pattern is as loose as the cited texts allow.
_NOT_FOUND = re.compile(r"could not get a node|could not be accessed", re.I)
_COLLISION = re.compile(r"an item with the name .* already exists", re.I | re.S)
_EXISTS = re.compile(r"already exists", re.I)
_LOCKED = re.compile(r"under hold|is an official record", re.I)
# 500s that are answers, not outages: they will fail the same way every time.
_PERMANENT_500 = re.compile(r"invalid block size|argument \w+ is required", re.I)


def from_status(
    status: int, message: str, route: str, retry_after: float | None = None
) -> Exception:
    """The exception for a non-2xx answer (401 is handled by the transport before this)."""
    if _COLLISION.search(message):
        return NameCollision(status, message, route)
    if _EXISTS.search(message):
        return AlreadyExists(status, message, route)
    if _NOT_FOUND.search(message) or status == 404:
        return NodeNotFound(status, message, route)
    if _LOCKED.search(message):
        return RecordLocked(status, message, route)
    if status == 409:
        return EditConflict(f"{route} → 409: {message}")
    if status == 429 or (status >= 500 and not _PERMANENT_500.search(message)):
        return OTCSUnavailable(f"{route} → {status}: {message}", retry_after)
    return OTCSRefused(status, message, route)
