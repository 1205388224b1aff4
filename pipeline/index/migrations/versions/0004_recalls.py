"""Product recalls (flow 6): the recall, what its identifiers resolved to, the affected
orders found and where a scan of the store's orders got to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> list[sa.Column[str]]:
    return [
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("recall_id", sa.String(64), nullable=False),
    ]


def _moment(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "recalls",
        *_key(),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        _moment("sold_from"),
        _moment("sold_to", nullable=True),
        sa.Column("hazard", sa.Text(), nullable=False),
        sa.Column("remedy", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        _moment("decided_at", nullable=True),
        _moment("closed_at", nullable=True),
        _moment("holds_released_at", nullable=True),
        sa.Column("workspace_id", sa.BigInteger(), nullable=True),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("store_hash", "recall_id", name="pk_recalls"),
    )
    op.create_table(
        "recall_items",
        *_key(),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(255), nullable=False),
        sa.Column("matched_by", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint(
            "store_hash", "recall_id", "product_id", "variant_id", name="pk_recall_items"
        ),
    )
    op.create_index("ix_recall_items_store_product", "recall_items", ["store_hash", "product_id"])
    op.create_table(
        "recall_orders",
        *_key(),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("found_by", sa.String(20), nullable=False),
        _moment("found_at"),
        sa.PrimaryKeyConstraint("store_hash", "recall_id", "order_id", name="pk_recall_orders"),
    )
    op.create_table(
        "recall_scans",
        *_key(),
        _moment("since"),
        _moment("until"),
        sa.Column("next_page", sa.Integer(), nullable=False),
        sa.Column("orders_read", sa.Integer(), nullable=False),
        _moment("finished_at", nullable=True),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("store_hash", "recall_id", name="pk_recall_scans"),
    )


def downgrade() -> None:
    for table in ("recall_scans", "recall_orders", "recall_items", "recalls"):
        op.drop_table(table)
