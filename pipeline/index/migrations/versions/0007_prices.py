"""Prices and discounts (flow 7): the catalog price history per product, variant and
currency as polling saw it, how far back each store's observation reaches, and the
discounts archived order lines carry (`applied_discounts`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "price_history",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("sale_price_minor", sa.BigInteger(), nullable=False),
        _moment("effective_at"),
        _moment("first_seen_at"),
        sa.PrimaryKeyConstraint(
            "store_hash", "product_id", "variant_id", "currency", "seq", name="pk_price_history"
        ),
    )
    op.create_table(
        "price_observation",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _moment("began_at"),
        _moment("last_full_read_at"),
        _moment("polled_at"),
        _moment("checkpoint", nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("store_hash", name="pk_price_observation"),
    )
    op.create_table(
        "order_line_discounts",
        sa.Column("store_hash", sa.String(40), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("discount_id", sa.String(100), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        _moment("order_date"),
        sa.PrimaryKeyConstraint(
            "store_hash",
            "order_id",
            "line_id",
            "discount_id",
            "code",
            name="pk_order_line_discounts",
        ),
    )
    op.create_index(
        "ix_order_line_discounts_store_discount",
        "order_line_discounts",
        ["store_hash", "discount_id"],
    )
    op.create_index(
        "ix_order_line_discounts_store_code", "order_line_discounts", ["store_hash", "code"]
    )


def downgrade() -> None:
    op.drop_table("order_line_discounts")
    op.drop_table("price_observation")
    op.drop_table("price_history")
