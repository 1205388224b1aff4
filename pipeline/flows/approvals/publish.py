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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.core.errors import TransientError
from pipeline.flows.approvals.change_request import ChangeRequest, canonical, digest
from pipeline.flows.approvals.targets import target_of
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import BigCommerceUnavailable
from pipeline.runtime.log import log_event


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

    @property
    def refused(self) -> bool:
        return self.result == "refused"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _drift(change: ChangeRequest, live: dict[str, Any] | None) -> PublishOutcome:
    log_event("publish.refused", logging.WARNING, change_id=change.id, reason="drift")
    return PublishOutcome(
        change.id,
        "refused",
        reason=f"drift: live state {digest(live)[:12]} is not the approved before-state "
        f"{change.before_sha256[:12]}",
        before_live=live,
    )


def publish_change(client: BigCommerceClient, change: ChangeRequest) -> PublishOutcome:
    """Publish `change` (its approval already checked); see the module docstring."""
    target = target_of(change)
    after = canonical(change.after)
    live = target.read(client, change)
    if live == after:
        now = _now()
        log_event("publish.adopted", change_id=change.id)
        return PublishOutcome(change.id, "adopted", "", live, live, [], now, now)
    if live != canonical(change.before):
        return _drift(change, live)
    before_live = live
    try:
        answers = [target.write(client, change)]
    except BigCommerceUnavailable as lost:
        live = target.read(client, change)  # the answer is lost, not the question
        log_event("publish.answer_lost", logging.WARNING, change_id=change.id, error=str(lost))
        if live == canonical(change.before):
            raise  # not applied: the stage's retry re-reads and writes again
        if live != after:
            return _drift(change, live)
        answers = [{"lost": type(lost).__name__}]
    published_at = _now()
    live = target.read(client, change)
    if live != after:
        raise NotVerified(f"{change.id}: read-back {digest(live)[:12]} is not the after-state")
    log_event("publish.published", change_id=change.id)
    return PublishOutcome(
        change.id, "published", "", before_live, live, answers, published_at, _now()
    )
