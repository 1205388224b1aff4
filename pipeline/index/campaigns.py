"""Campaigns (flow 7) in the archive index: each campaign's approved scope and decision
as the ECM last said it, and the promotions and coupon codes linked to it.

The ECM's Campaign workspace is the system of record; the promotion checks ask these
rows which campaign a live promotion belongs to and what was approved for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pipeline.index.models import CampaignLink, CampaignRow

REQUESTED = "requested"
APPROVED = "approved"
REJECTED = "rejected"
CLOSED = "closed"
PROMOTION = "promotion"
COUPON = "coupon"


@dataclass(frozen=True)
class Campaign:
    """A campaign's approved scope. Empty `channels`, `countries` or `currencies` mean
    no restriction was approved on that axis."""

    store_hash: str
    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    channels: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    max_discount_percent: Decimal | None = None
    approved_fingerprints: dict[str, str] = field(default_factory=dict)
    decision: str = REQUESTED
    requested_by: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    workspace_id: int | None = None

    @property
    def approved(self) -> bool:
        return self.decision in (APPROVED, CLOSED) and self.decided_at is not None


def _campaign(row: CampaignRow) -> Campaign:
    return Campaign(
        store_hash=row.store_hash,
        campaign_id=row.campaign_id,
        name=row.name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        channels=tuple(row.channels),
        countries=tuple(row.countries),
        currencies=tuple(row.currencies),
        max_discount_percent=(
            None if row.max_discount_percent is None else Decimal(row.max_discount_percent)
        ),
        approved_fingerprints=dict(row.approved_fingerprints),
        decision=row.decision,
        requested_by=row.requested_by,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        closed_at=row.closed_at,
        workspace_id=row.workspace_id,
    )


class Campaigns:
    """The campaign tables of the archive index."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, campaign: Campaign) -> None:
        """Write the campaign's facts as the ECM says them now (insert or replace)."""
        maximum = campaign.max_discount_percent
        with Session(self.engine) as session, session.begin():
            session.merge(
                CampaignRow(
                    store_hash=campaign.store_hash,
                    campaign_id=campaign.campaign_id,
                    name=campaign.name,
                    starts_at=campaign.starts_at,
                    ends_at=campaign.ends_at,
                    channels=list(campaign.channels),
                    countries=list(campaign.countries),
                    currencies=list(campaign.currencies),
                    max_discount_percent=None if maximum is None else str(maximum),
                    approved_fingerprints=dict(campaign.approved_fingerprints),
                    decision=campaign.decision,
                    requested_by=campaign.requested_by,
                    decided_by=campaign.decided_by,
                    decided_at=campaign.decided_at,
                    closed_at=campaign.closed_at,
                    workspace_id=campaign.workspace_id,
                    updated_at=datetime.now(UTC),
                )
            )

    def get(self, store_hash: str, campaign_id: str) -> Campaign | None:
        with Session(self.engine) as session:
            row = session.get(CampaignRow, (store_hash, campaign_id))
            return None if row is None else _campaign(row)

    def listed(self, store_hash: str | None = None) -> list[Campaign]:
        """Campaigns by start, of one store when given."""
        query = select(CampaignRow).order_by(CampaignRow.starts_at, CampaignRow.campaign_id)
        if store_hash is not None:
            query = query.where(CampaignRow.store_hash == store_hash)
        with Session(self.engine) as session:
            return [_campaign(row) for row in session.scalars(query)]

    def link(self, store_hash: str, campaign_id: str, kind: str, refs: Iterable[str]) -> int:
        """Link promotion ids or coupon codes to a campaign; returns how many were new."""
        added = 0
        with Session(self.engine) as session, session.begin():
            for ref in refs:
                if session.get(CampaignLink, (store_hash, campaign_id, kind, ref)) is None:
                    session.add(
                        CampaignLink(
                            store_hash=store_hash, campaign_id=campaign_id, kind=kind, ref=ref
                        )
                    )
                    added += 1
        return added

    def links(self, store_hash: str, campaign_id: str, kind: str) -> list[str]:
        query = (
            select(CampaignLink.ref)
            .where(
                CampaignLink.store_hash == store_hash,
                CampaignLink.campaign_id == campaign_id,
                CampaignLink.kind == kind,
            )
            .order_by(CampaignLink.ref)
        )
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def linked_to(self, store_hash: str, kind: str, ref: str) -> list[Campaign]:
        """The campaigns a promotion id or coupon code is linked to."""
        query = (
            select(CampaignRow)
            .join(
                CampaignLink,
                (CampaignLink.store_hash == CampaignRow.store_hash)
                & (CampaignLink.campaign_id == CampaignRow.campaign_id),
            )
            .where(
                CampaignLink.store_hash == store_hash,
                CampaignLink.kind == kind,
                CampaignLink.ref == ref,
            )
            .order_by(CampaignRow.starts_at)
        )
        with Session(self.engine) as session:
            return [_campaign(row) for row in session.scalars(query)]

    def link_map(self, store_hash: str) -> dict[tuple[str, str], list[str]]:
        """Every link of the store's campaigns: (kind, ref) → campaign ids; what a look
        of every promotion asks once instead of once per promotion."""
        query = select(CampaignLink).where(CampaignLink.store_hash == store_hash)
        found: dict[tuple[str, str], list[str]] = {}
        with Session(self.engine) as session:
            for row in session.scalars(query):
                found.setdefault((row.kind, row.ref), []).append(row.campaign_id)
        return found
