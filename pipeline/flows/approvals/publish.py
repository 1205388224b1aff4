"""Apply one approved change to BigCommerce exactly once (DESIGN "Both directions").

BigCommerce has no ETags or If-Match, so every attempt starts by re-reading the live
object: already at the after-state → adopt (an earlier attempt published it, perhaps
with its answer lost); not at the approved before-state → refuse as drift; else write,
then read back and verify. A write whose answer was lost (timeout, reset, 5xx) is never
repeated on the spot: the object is read again and the same three-way decision made; if
it is still at the before-state the write did not happen, and the stage's retry (which
begins by re-reading) tries again. A read-back that differs from the after-state (a 207,
a partial write) is not published: the stage retries it as a transient failure, and
after its retries it is dead-lettered for a person.

Every call to BigCommerce is timed (`calls`: its step, sent and answered, milliseconds,
UTC): a recall's takedown receipt states from them when the store was asked and when
the change was seen verified (`pipeline.flows.recalls.takedown_evidence`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pipeline.core.errors import TransientError
from pipeline.flows.approvals.change_request import ChangeRequest, canonical, digest
from pipeline.flows.approvals.targets import target_of
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import BigCommerceUnavailable
from pipeline.runtime.log import log_event

T = TypeVar("T")


class NotVerified(TransientError):
    """The read-back after a write differs from the after-state (partial write)."""


@dataclass(frozen=True)
class PublishOutcome:
    """What publishing one change came to: `published` (written now), `adopted` (found
    at the after-state, written earlier) or `refused` with `reason`; the states seen and
    the API's answers, for the receipt."""

    change_id: str
    result: str
    reason: str = ""
    before_live: dict[str, Any] | None = None
    after_live: dict[str, Any] | None = None
    answers: list[Any] = field(default_factory=list)
    published_at: str = ""
    verified_at: str = ""
    calls: list[dict[str, str]] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.result == "refused"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _now_ms() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _timed(calls: list[dict[str, str]], step: str, call: Callable[[], T]) -> T:
    """`call()`, noted in `calls` with when it was sent and answered (or failed)."""
    sent = _now_ms()
    try:
        return call()
    finally:
        calls.append({"step": step, "sent_at": sent, "answered_at": _now_ms()})


def _drift(
    change: ChangeRequest, live: dict[str, Any] | None, calls: list[dict[str, str]]
) -> PublishOutcome:
    log_event("publish.refused", logging.WARNING, change_id=change.id, reason="drift")
    return PublishOutcome(
        change.id,
        "refused",
        reason=f"drift: live state {digest(live)[:12]} is not the approved before-state "
        f"{change.before_sha256[:12]}",
        before_live=live,
        calls=calls,
    )


def publish_change(client: BigCommerceClient, change: ChangeRequest) -> PublishOutcome:
    """Publish `change` (its approval already checked); see the module docstring."""
    target = target_of(change)
    after = canonical(change.after)
    calls: list[dict[str, str]] = []
    live = _timed(calls, "read", lambda: target.read(client, change))
    if live == after:
        now = _now()
        log_event("publish.adopted", change_id=change.id)
        return PublishOutcome(change.id, "adopted", "", live, live, [], now, now, calls)
    if live != canonical(change.before):
        return _drift(change, live, calls)
    before_live = live
    try:
        answers = [_timed(calls, "write", lambda: target.write(client, change))]
    except BigCommerceUnavailable as lost:
        # the answer is lost, not the question
        live = _timed(calls, "re-read", lambda: target.read(client, change))
        log_event("publish.answer_lost", logging.WARNING, change_id=change.id, error=str(lost))
        if live == canonical(change.before):
            raise  # not applied: the stage's retry re-reads and writes again
        if live != after:
            return _drift(change, live, calls)
        answers = [{"lost": type(lost).__name__}]
    published_at = _now()
    live = _timed(calls, "read-back", lambda: target.read(client, change))
    if live != after:
        raise NotVerified(f"{change.id}: read-back {digest(live)[:12]} is not the after-state")
    log_event("publish.published", change_id=change.id)
    return PublishOutcome(
        change.id, "published", "", before_live, live, answers, published_at, _now(), calls
    )
