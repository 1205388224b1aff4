"""The archive index's part for disclosures (flow 4): versions, runs of sightings, change
events, looks per channel, frozen receipts; what the as-of answer is computed from.

A look is written in one transaction: its versions inserted if new, each disclosure's
newest run extended (same version, same watch, no change event since) or a new run
started, and the channel's look times moved. Looks of one channel are serialised by the
caller (a lock per store and channel), so runs are appended in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pipeline.flows.disclosures.evidence import CLOCK_TOLERANCE, Change, Run
from pipeline.index.dialect import insert as _insert
from pipeline.index.models import (
    DisclosureChannel,
    DisclosureEvent,
    DisclosureReceipt,
    DisclosureRun,
    DisclosureVersion,
    OrderLine,
    Record,
)
from schemas.disclosures import PAGE, Disclosure, DisclosureLook


@dataclass(frozen=True)
class ChangeEvent:
    """A change webhook about one disclosure."""

    store_hash: str
    hash: str
    kind: str
    subject: str
    channel_id: int
    scope: str
    occurred_at: datetime


@dataclass(frozen=True)
class VersionRow:
    """A version as the index keeps it, with its record's ECM node once declared."""

    store_hash: str
    kind: str
    subject: str
    fingerprint: str
    channel_id: int
    name: str
    url: str
    state: str
    content_sha256: str
    record_key: str
    ecm_node_id: int | None


@dataclass(frozen=True)
class Evidence:
    """One disclosure's runs and change-event times."""

    runs: list[Run]
    changes: list[Change]


class DisclosureIndex:
    """Disclosure tables of the archive index (`services.archive_index().engine`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writes -------------------------------------------------------------------------

    def record_event(self, event: ChangeEvent, received_at: datetime) -> None:
        """Once per delivery hash; a duplicate delivery adds nothing."""
        values = {**event.__dict__, "received_at": received_at}
        statement = _insert(self.engine, DisclosureEvent).values(**values)
        with Session(self.engine) as session, session.begin():
            session.execute(statement.on_conflict_do_nothing())

    def record_look(self, look: DisclosureLook, record_keys: Mapping[str, str]) -> None:
        """Every disclosure of the look (versions, runs) and the channel's look times;
        `record_keys` by fingerprint."""
        with Session(self.engine) as session, session.begin():
            for item in look.disclosures:
                self._version(session, look.store_hash, item, record_keys[item.fingerprint])
                self._sighting(session, look, item)
            self._channel(session, look)

    def _version(self, session: Session, store_hash: str, item: Disclosure, key: str) -> None:
        values = {
            "store_hash": store_hash,
            "kind": item.kind,
            "subject": item.subject,
            "fingerprint": item.fingerprint,
            "channel_id": item.channel_id,
            "name": item.name[:255],
            "url": item.url[:2048],
            "state": item.state,
            "content_sha256": item.content_sha256,
            "text": item.text,
            "record_key": key,
        }
        session.execute(
            _insert(session, DisclosureVersion).values(**values).on_conflict_do_nothing()
        )

    def _sighting(self, session: Session, look: DisclosureLook, item: Disclosure) -> None:
        newest = session.scalars(
            select(DisclosureRun)
            .where(*_disclosure(DisclosureRun, look.store_hash, item.kind, item.subject))
            .order_by(DisclosureRun.first_seen.desc(), DisclosureRun.id.desc())
            .limit(1)
        ).first()
        if newest is not None and self._extends(session, newest, look, item):
            newest.last_seen = look.looked_at
            newest.looks += 1
            return
        session.add(
            DisclosureRun(
                store_hash=look.store_hash,
                kind=item.kind,
                subject=item.subject,
                fingerprint=item.fingerprint,
                first_seen=look.looked_at,
                last_seen=look.looked_at,
                looks=1,
                watched=look.watched,
            )
        )

    def _extends(
        self, session: Session, run: DisclosureRun, look: DisclosureLook, item: Disclosure
    ) -> bool:
        """Same version, same watch, later, and no change event that may have happened
        since the run's last look."""
        if run.fingerprint != item.fingerprint or run.watched != look.watched:
            return False
        if look.looked_at < run.last_seen:
            return False
        event = session.scalars(
            select(DisclosureEvent.hash)
            .where(*_disclosure(DisclosureEvent, look.store_hash, item.kind, item.subject))
            .where(DisclosureEvent.received_at > run.last_seen)
            .where(DisclosureEvent.occurred_at > run.last_seen - CLOCK_TOLERANCE)
            .limit(1)
        ).first()
        return event is None

    def _channel(self, session: Session, look: DisclosureLook) -> None:
        row = session.get(DisclosureChannel, (look.store_hash, look.channel_id))
        if row is None:
            session.add(
                DisclosureChannel(
                    store_hash=look.store_hash,
                    channel_id=look.channel_id,
                    first_look=look.looked_at,
                    last_look=look.looked_at,
                )
            )
            return
        row.first_look = min(row.first_look, look.looked_at)
        row.last_look = max(row.last_look, look.looked_at)

    def freeze_receipt(
        self, store_hash: str, order_id: int, content: Mapping[str, Any], at: datetime
    ) -> dict[str, Any]:
        """Keep the first answer given for an order; return whichever is kept."""
        values = {"store_hash": store_hash, "order_id": order_id, "frozen_at": at}
        statement = _insert(self.engine, DisclosureReceipt).values(**values, content=dict(content))
        with Session(self.engine) as session, session.begin():
            session.execute(statement.on_conflict_do_nothing())
        kept = self.receipt(store_hash, order_id)
        assert kept is not None
        return kept

    # -- reads --------------------------------------------------------------------------

    def receipt(self, store_hash: str, order_id: int) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(DisclosureReceipt, (store_hash, order_id))
            return None if row is None else dict(row.content)

    def first_seen(self, store_hash: str, fingerprints: list[str]) -> dict[str, datetime]:
        """When each version (by fingerprint) was first seen: its earliest run's start."""
        query = (
            select(DisclosureRun.fingerprint, func.min(DisclosureRun.first_seen))
            .where(DisclosureRun.store_hash == store_hash)
            .where(DisclosureRun.fingerprint.in_(fingerprints))
            .group_by(DisclosureRun.fingerprint)
        )
        with Session(self.engine) as session:
            return {fingerprint: first for fingerprint, first in session.execute(query).all()}

    def channel_looks(self, store_hash: str, channel_id: int) -> tuple[datetime, datetime] | None:
        """(first, last) look at a channel, None if never looked at."""
        with Session(self.engine) as session:
            row = session.get(DisclosureChannel, (store_hash, channel_id))
            return None if row is None else (row.first_look, row.last_look)

    def evidence(self, store_hash: str, kind: str, subject: str) -> Evidence:
        with Session(self.engine) as session:
            runs = session.scalars(
                select(DisclosureRun)
                .where(*_disclosure(DisclosureRun, store_hash, kind, subject))
                .order_by(DisclosureRun.first_seen, DisclosureRun.id)
            ).all()
            events = session.execute(
                select(DisclosureEvent.occurred_at, DisclosureEvent.received_at).where(
                    *_disclosure(DisclosureEvent, store_hash, kind, subject)
                )
            ).all()
        return Evidence(
            [Run(r.fingerprint, r.first_seen, r.last_seen, r.looks, r.watched) for r in runs],
            [Change(occurred, received) for occurred, received in events],
        )

    def versions(
        self,
        store_hash: str,
        *,
        channel_id: int | None = None,
        kind: str | None = None,
        subject: str | None = None,
        record_key: str | None = None,
    ) -> list[VersionRow]:
        """Versions with their records' ECM nodes (None while not yet declared)."""
        query = (
            select(DisclosureVersion, Record.ecm_node_id)
            .outerjoin(Record, Record.record_key == DisclosureVersion.record_key)
            .where(DisclosureVersion.store_hash == store_hash)
            .order_by(DisclosureVersion.kind, DisclosureVersion.subject)
        )
        if channel_id is not None:
            query = query.where(DisclosureVersion.channel_id == channel_id)
        if kind is not None:
            query = query.where(DisclosureVersion.kind == kind)
        if subject is not None:
            query = query.where(DisclosureVersion.subject == subject)
        if record_key is not None:
            query = query.where(DisclosureVersion.record_key == record_key)
        with Session(self.engine) as session:
            rows = session.execute(query).all()
        return [
            VersionRow(
                store_hash=v.store_hash,
                kind=v.kind,
                subject=v.subject,
                fingerprint=v.fingerprint,
                channel_id=int(v.channel_id),
                name=v.name,
                url=v.url,
                state=v.state,
                content_sha256=v.content_sha256,
                record_key=v.record_key,
                ecm_node_id=None if node is None else int(node),
            )
            for v, node in rows
        ]

    def version_by_node(self, ecm_node_id: int) -> VersionRow | None:
        """The version a declared record files, by its ECM node id."""
        with Session(self.engine) as session:
            found = session.execute(
                select(DisclosureVersion.store_hash, Record.record_key)
                .join(Record, Record.record_key == DisclosureVersion.record_key)
                .where(Record.ecm_node_id == ecm_node_id)
            ).first()
        if found is None:
            return None
        rows = self.versions(found[0], record_key=found[1])
        return rows[0] if rows else None

    def newest_pages(self, store_hash: str, channel_id: int) -> dict[str, VersionRow]:
        """Per page of the channel ever seen, the version its newest run saw."""
        pages = self.versions(store_hash, channel_id=channel_id, kind=PAGE)
        by_version = {(v.subject, v.fingerprint): v for v in pages}
        newest: dict[str, VersionRow] = {}
        with Session(self.engine) as session:
            for subject in sorted({v.subject for v in pages}):
                fingerprint = session.scalars(
                    select(DisclosureRun.fingerprint)
                    .where(*_disclosure(DisclosureRun, store_hash, PAGE, subject))
                    .order_by(DisclosureRun.first_seen.desc(), DisclosureRun.id.desc())
                    .limit(1)
                ).first()
                if fingerprint is not None and (subject, fingerprint) in by_version:
                    newest[subject] = by_version[(subject, fingerprint)]
        return newest

    def order_placed(self, store_hash: str, order_id: int) -> datetime | None:
        """When an archived order was placed, from its lines."""
        with Session(self.engine) as session:
            placed: datetime | None = session.scalars(
                select(OrderLine.order_date)
                .where(OrderLine.store_hash == store_hash, OrderLine.order_id == order_id)
                .limit(1)
            ).first()
        return placed

    def text(self, version: VersionRow) -> str:
        """The version's text exactly as the API returned it."""
        key = (version.store_hash, version.kind, version.subject, version.fingerprint)
        with Session(self.engine) as session:
            row = session.get(DisclosureVersion, key)
            return "" if row is None else row.text


def _disclosure(model: Any, store_hash: str, kind: str, subject: str) -> tuple[Any, ...]:
    return (model.store_hash == store_hash, model.kind == kind, model.subject == subject)
