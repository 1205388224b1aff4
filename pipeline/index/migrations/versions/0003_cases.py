"""Customer-service cases (flow 2): cases, their orders, thread, attachments and applied
events, and the holds open on a subject.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORE = ("store_hash", sa.String(40))
CASE = ("case_id", sa.String(64))


def _key() -> list[sa.Column[str]]:
    return [sa.Column(name, kind, nullable=False) for name, kind in (STORE, CASE)]


def upgrade() -> None:
    op.create_table(
        "cases",
        *_key(),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("hold_released", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "case_id", name="pk_cases"),
    )
    op.create_table(
        "case_orders",
        *_key(),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "case_id", "order_id", name="pk_case_orders"),
    )
    op.create_index("ix_case_orders_store_order", "case_orders", ["store_hash", "order_id"])
    op.create_table(
        "case_messages",
        *_key(),
        sa.Column("message_id", sa.String(100), nullable=False),
        sa.Column("author_role", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "case_id", "message_id", name="pk_case_messages"),
    )
    op.create_table(
        "case_attachments",
        *_key(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "case_id", "number", name="pk_case_attachments"),
        sa.UniqueConstraint(
            "store_hash",
            "case_id",
            "sha256",
            "name",
            name="uq_case_attachments_store_hash_case_id_sha256_name",
        ),
    )
    op.create_table(
        "case_events",
        *_key(),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "case_id", "event_id", name="pk_case_events"),
    )
    op.create_table(
        "subject_holds",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("subject_kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("hold_name", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "store_hash", "subject_kind", "subject_id", "hold_name", name="pk_subject_holds"
        ),
    )


def downgrade() -> None:
    for table in (
        "subject_holds",
        "case_events",
        "case_attachments",
        "case_messages",
        "case_orders",
        "cases",
    ):
        op.drop_table(table)
