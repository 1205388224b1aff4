"""One error taxonomy for every stage: retry what may pass, dead-letter what will not.

Clients translate what they see (timeouts, 5xx, 429, expired tickets, 4xx, schema
violations) into these two classes, so the retry policy lives in one place.
"""

from __future__ import annotations


class TransientError(Exception):
    """May succeed if tried again later: timeouts, 5xx, 429, expired ticket, full staging."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Will fail the same way every time until a person or a code change intervenes."""


class RenderRefused(PermanentError):
    """A renderer cannot draw the document from its source (a fact it needs is missing or
    malformed, or the source is beyond what a readable record can hold): the same input
    would fail again, so a duplicate waits on the dead letter."""
