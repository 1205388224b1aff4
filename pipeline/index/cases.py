"""Case state (flow 2) in the archive index: a case's facts, orders, thread and
attachment references, changed only by applying intake events.

Applying is idempotent and order-tolerant, because deliveries repeat and arrive out of
order: an event applied before is skipped; a message or attachment seen before is kept
once; a closed case stays closed (a late "open" delivery does not reopen it); the first
event about an unknown case creates it, whichever event that is. The case's legal hold
is opened on each of its orders (`pipeline.index.holds`) while it is asked for and not
released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.index.holds import open_hold, release_hold
from pipeline.index.models import Case, CaseAttachment, CaseEvent, CaseMessage, CaseOrder
from schemas.cases import CLOSED, AttachmentRef, ThreadMessage
from schemas.cases import CaseEvent as IntakeEvent

DISPUTE = "dispute"
ORDER_SUBJECT = "order"


def hold_name(store_hash: str, case_id: str) -> str:
    """The OTCS hold of a case: `CASE-<store>-<case id>`."""
    return f"CASE-{store_hash}-{case_id}"


@dataclass(frozen=True)
class CaseState:
    """A case as the index holds it."""

    store_hash: str
    case_id: str
    origin: str
    reason: str
    subject: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    hold: bool
    hold_released: bool
    updated_at: datetime
    order_ids: tuple[int, ...]
    messages: tuple[ThreadMessage, ...]
    attachments: tuple[tuple[int, AttachmentRef], ...]

    @property
    def closed(self) -> bool:
        return self.status == CLOSED

    @property
    def hold_name(self) -> str:
        return hold_name(self.store_hash, self.case_id)

    @property
    def hold_active(self) -> bool:
        return self.hold and not self.hold_released


def _insert_ignore(session: Session, model: type[object], values: dict[str, object]) -> None:
    bind = session.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).values(values).on_conflict_do_nothing())


class CaseIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def apply(self, event: IntakeEvent) -> bool:
        """Apply an intake event once; False if it was applied before."""
        key = {"store_hash": event.store_hash, "case_id": event.case_id}
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            if session.get(CaseEvent, (*key.values(), event.event_id)) is not None:
                return False
            _insert_ignore(session, Case, {**key, **_new_case(event)})
            case = session.scalars(select(Case).filter_by(**key).with_for_update()).one()
            _update(case, event)
            for order_id in event.order_ids:
                _insert_ignore(session, CaseOrder, {**key, "order_id": order_id})
            for message in event.messages:
                _insert_ignore(
                    session,
                    CaseMessage,
                    {**key, "message_id": message.id, "author_role": message.author_role,
                     "at": message.at, "text": message.text},
                )  # fmt: skip
            _add_attachments(session, key, event)
            orders = session.scalars(select(CaseOrder.order_id).filter_by(**key)).all()
            name = hold_name(event.store_hash, event.case_id)
            if case.hold_released:
                release_hold(session, name, event.at)
            elif case.hold:
                subjects = [str(order_id) for order_id in orders]
                open_hold(session, event.store_hash, ORDER_SUBJECT, subjects, name, event.at)
            session.add(CaseEvent(**key, event_id=event.event_id, applied_at=datetime.now(UTC)))
        return True

    def case(self, store_hash: str, case_id: str) -> CaseState | None:
        with Session(self.engine) as session:
            found = session.get(Case, (store_hash, case_id))
            return None if found is None else _state(session, found)

    def find(self, case_id: str, store_hash: str | None = None) -> list[CaseState]:
        """Cases with this id (in one store, or in any)."""
        query = select(Case).where(Case.case_id == case_id)
        if store_hash is not None:
            query = query.where(Case.store_hash == store_hash)
        with Session(self.engine) as session:
            return [_state(session, c) for c in session.scalars(query.order_by(Case.store_hash))]

    def cases(self, open_only: bool = False, store_hash: str | None = None) -> list[CaseState]:
        """Every case (or every open one), oldest first."""
        query = select(Case)
        if open_only:
            query = query.where(Case.status != CLOSED)
        if store_hash is not None:
            query = query.where(Case.store_hash == store_hash)
        query = query.order_by(Case.opened_at, Case.store_hash, Case.case_id)
        with Session(self.engine) as session:
            return [_state(session, c) for c in session.scalars(query)]

    def cases_of_order(self, store_hash: str, order_id: int, open_only: bool = False) -> list[str]:
        """Ids of the cases (or only the open ones) about an order."""
        query = (
            select(Case.case_id)
            .join(
                CaseOrder,
                (CaseOrder.store_hash == Case.store_hash) & (CaseOrder.case_id == Case.case_id),
            )
            .where(Case.store_hash == store_hash, CaseOrder.order_id == order_id)
            .order_by(Case.case_id)
        )
        if open_only:
            query = query.where(Case.status != CLOSED)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """Ids of the cases an intake changed in the window."""
        query = select(Case.case_id).where(
            Case.store_hash == store_hash, Case.updated_at >= since, Case.updated_at <= until
        )
        with Session(self.engine) as session:
            return sorted(session.scalars(query))


def _new_case(event: IntakeEvent) -> dict[str, object]:
    """A case as its first event (of any kind) describes it; later events fill it in."""
    return {
        "origin": event.origin,
        "reason": event.reason or "other",
        "subject": event.subject or "",
        "status": "open",
        "opened_at": event.opened_at or event.at,
        "closed_at": None,
        "hold": False,
        "hold_released": False,
        "updated_at": event.at,
    }


def _update(case: Case, event: IntakeEvent) -> None:
    if event.reason:
        case.reason = event.reason
    if event.subject:
        case.subject = event.subject
    if event.opened_at and event.opened_at < case.opened_at:
        case.opened_at = event.opened_at
    if event.status and case.status != CLOSED:
        case.status = event.status
        if event.status == CLOSED:
            case.closed_at = event.at
            case.hold_released = case.hold_released or event.release_hold
    case.hold = case.hold or event.hold or case.reason == DISPUTE
    case.updated_at = max(case.updated_at, event.at)


def _add_attachments(session: Session, key: dict[str, str], event: IntakeEvent) -> None:
    """Number new attachments in order of arrival; one seen before (same bytes and name)
    keeps its number."""
    for ref in event.attachments:
        known = session.scalars(
            select(CaseAttachment.number).filter_by(**key, sha256=ref.sha256, name=ref.name)
        ).first()
        if known is not None:
            continue
        last = session.scalar(select(func.max(CaseAttachment.number)).filter_by(**key))
        session.add(
            CaseAttachment(
                **key,
                number=(last or 0) + 1,
                name=ref.name,
                content_type=ref.content_type,
                size=ref.size,
                sha256=ref.sha256,
                added_at=event.at,
            )
        )
        session.flush()


def _state(session: Session, case: Case) -> CaseState:
    key = {"store_hash": case.store_hash, "case_id": case.case_id}
    orders = session.scalars(select(CaseOrder.order_id).filter_by(**key).order_by("order_id"))
    messages = session.scalars(
        select(CaseMessage).filter_by(**key).order_by(CaseMessage.at, CaseMessage.message_id)
    )
    attachments = session.scalars(
        select(CaseAttachment).filter_by(**key).order_by(CaseAttachment.number)
    )
    return CaseState(
        store_hash=case.store_hash,
        case_id=case.case_id,
        origin=case.origin,
        reason=case.reason,
        subject=case.subject,
        status=case.status,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        hold=case.hold,
        hold_released=case.hold_released,
        updated_at=case.updated_at,
        order_ids=tuple(int(o) for o in orders),
        messages=tuple(ThreadMessage(m.message_id, m.author_role, m.at, m.text) for m in messages),
        attachments=tuple(
            (a.number, AttachmentRef(a.name, a.content_type, int(a.size), a.sha256))
            for a in attachments
        ),
    )
