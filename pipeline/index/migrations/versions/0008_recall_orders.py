"""Recalls (flow 6), what the affected-orders report and the record dates need: the
customer id of an archived order's lines (the report names customers by id, never by
name or e-mail) and when a recall was opened (its records' record date).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("customer_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("recalls") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recalls") as batch:
        batch.drop_column("opened_at")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("customer_id")
