"""Marketing campaigns (flow 7): each campaign's approved scope and decision, and the
promotions and coupon codes it covers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> list[sa.Column[str]]:
    return [
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
    ]


def _moment(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        *_key(),
        sa.Column("name", sa.String(250), nullable=False),
        _moment("starts_at"),
        _moment("ends_at"),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("currencies", sa.JSON(), nullable=False),
        sa.Column("max_discount_percent", sa.String(20), nullable=True),
        sa.Column("approved_fingerprints", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        _moment("decided_at", nullable=True),
        _moment("closed_at", nullable=True),
        sa.Column("workspace_id", sa.BigInteger(), nullable=True),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("store_hash", "campaign_id", name="pk_campaigns"),
    )
    op.create_table(
        "campaign_links",
        *_key(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint(
            "store_hash", "campaign_id", "kind", "ref", name="pk_campaign_links"
        ),
    )
    op.create_index(
        "ix_campaign_links_store_kind_ref", "campaign_links", ["store_hash", "kind", "ref"]
    )


def downgrade() -> None:
    op.drop_table("campaign_links")
    op.drop_table("campaigns")
