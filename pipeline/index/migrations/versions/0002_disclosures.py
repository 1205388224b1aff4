"""Disclosures (flow 4): versions, runs of sightings, change events, looks per channel,
and the frozen as-of answer of every order's disclosure receipt.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_versions",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "store_hash", "kind", "subject", "fingerprint", name="pk_disclosure_versions"
        ),
    )
    op.create_index(
        "ix_disclosure_versions_channel", "disclosure_versions", ["store_hash", "channel_id"]
    )
    op.create_table(
        "disclosure_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("looks", sa.Integer(), nullable=False),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_runs"),
    )
    op.create_index(
        "ix_disclosure_runs_disclosure",
        "disclosure_runs",
        ["store_hash", "kind", "subject", "first_seen"],
    )
    op.create_table(
        "disclosure_events",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("hash", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "hash", name="pk_disclosure_events"),
    )
    op.create_index(
        "ix_disclosure_events_disclosure",
        "disclosure_events",
        ["store_hash", "kind", "subject", "occurred_at"],
    )
    op.create_table(
        "disclosure_channels",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("first_look", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_look", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "channel_id", name="pk_disclosure_channels"),
    )
    op.create_table(
        "disclosure_receipts",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "order_id", name="pk_disclosure_receipts"),
    )


def downgrade() -> None:
    op.drop_table("disclosure_receipts")
    op.drop_table("disclosure_channels")
    op.drop_table("disclosure_events")
    op.drop_table("disclosure_runs")
    op.drop_table("disclosure_versions")
