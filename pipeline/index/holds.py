"""Holds open on a subject: every record of the subject must carry them, including the
records declared after the hold was opened (declare asks `open_on` after writing its row).

Any flow may open one; flow 2 opens a case's legal hold on each of the case's orders.
Opening is idempotent and a release is final: a released hold is never opened again
under the same name, so a reordered delivery cannot put a closed case's hold back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from pipeline.index.dialect import insert
from pipeline.index.models import SubjectHold


class SubjectHolds:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_on(self, store_hash: str, subject_kind: str, subject_id: str) -> list[str]:
        """Names of the holds open on a subject, sorted."""
        query = select(SubjectHold.hold_name).where(
            SubjectHold.store_hash == store_hash,
            SubjectHold.subject_kind == subject_kind,
            SubjectHold.subject_id == subject_id,
            SubjectHold.released_at.is_(None),
        )
        with Session(self.engine) as session:
            return sorted(session.scalars(query))

    def is_open(self, hold_name: str) -> bool:
        """Whether the hold is still open on any subject."""
        query = select(SubjectHold.hold_name).where(
            SubjectHold.hold_name == hold_name, SubjectHold.released_at.is_(None)
        )
        with Session(self.engine) as session:
            return session.scalars(query.limit(1)).first() is not None


def open_hold(
    session: Session,
    store_hash: str,
    subject_kind: str,
    subject_ids: Iterable[str],
    hold_name: str,
    at: datetime,
) -> None:
    """Open the hold on subjects that do not have it yet (released ones stay released);
    ON CONFLICT DO NOTHING, so two workers opening it at once cannot collide."""
    rows = [
        {"store_hash": store_hash, "subject_kind": subject_kind, "subject_id": subject_id,
         "hold_name": hold_name, "opened_at": at, "released_at": None}
        for subject_id in subject_ids
    ]  # fmt: skip
    if rows:
        session.execute(insert(session, SubjectHold).values(rows).on_conflict_do_nothing())
        session.flush()


def release_hold(session: Session, hold_name: str, at: datetime) -> None:
    """Release the hold on every subject it is open on."""
    session.execute(
        update(SubjectHold)
        .where(SubjectHold.hold_name == hold_name, SubjectHold.released_at.is_(None))
        .values(released_at=at)
    )
