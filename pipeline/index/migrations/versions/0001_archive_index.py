"""The archive index: declared records, order lines, the audit events copied from Redis.

Revision ID: 0001
Revises:
Create Date: 2026-05-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("flow", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("subject_kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("part", sa.String(100), nullable=True),
        sa.Column("ecm_name", sa.String(255), nullable=False),
        sa.Column("ecm_node_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("record_date", sa.Date(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.JSON(), nullable=False),
        sa.Column("rsi", sa.String(60), nullable=False),
        sa.Column("file_plan_version", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("record_key", name="pk_records"),
    )
    op.create_index(
        "ix_records_store_subject", "records", ["store_hash", "subject_kind", "subject_id"]
    )
    op.create_index("ix_records_kind", "records", ["kind"])

    op.create_table(
        "order_lines",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(255), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("variant_id", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("order_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ship_to_country", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", "order_id", "line_id", name="pk_order_lines"),
    )
    op.create_index("ix_order_lines_sku", "order_lines", ["sku"])
    op.create_index("ix_order_lines_sku_order_date", "order_lines", ["sku", "order_date"])

    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream_id", sa.String(40), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("stream_id", name="uq_audit_events_stream_id"),
    )
    op.create_index("ix_audit_events_record_key", "audit_events", ["record_key"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("order_lines")
    op.drop_table("records")
