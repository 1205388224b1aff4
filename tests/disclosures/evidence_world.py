"""A scripted disclosure history for tests: looks and change events, written to the
archive index exactly as the look task writes them, in the order they happen."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pipeline.index.disclosures import ChangeEvent, DisclosureIndex
from schemas.disclosures import PAGE, Disclosure, DisclosureLook

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STORE = "evid3nce"
SUBJECT = "7"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def page(body: str, subject: str = SUBJECT) -> Disclosure:
    return Disclosure(
        kind=PAGE,
        subject=subject,
        channel_id=1,
        name="Terms",
        url="/terms/",
        state="live",
        text=body,
        facts={"name": "Terms", "url": "/terms/", "type": "page", "is_visible": True, "body": body},
        raw={"id": int(subject), "body": body},
    )


def fingerprint(body: str) -> str:
    return page(body).fingerprint


@dataclass
class History:
    """Looks and events in the order bcrm records them."""

    index: DisclosureIndex
    events: int = field(default=0)

    def look(self, seconds: float, body: str, watched: bool = True) -> None:
        look = DisclosureLook(STORE, 1, at(seconds), watched, "test", (page(body),))
        self.index.record_look(look, {page(body).fingerprint: f"{STORE}/key-{body}"})

    def event(self, seconds: float, received: float | None = None) -> None:
        """A change at `seconds`, recorded `received` (by default half a second later)."""
        self.events += 1
        digest = hashlib.sha1(f"{seconds}-{self.events}".encode()).hexdigest()
        scope = "store/channel/1/page/updated"
        event = ChangeEvent(STORE, digest, PAGE, SUBJECT, 1, scope, at(seconds))
        self.index.record_event(event, at(seconds + 0.5 if received is None else received))
