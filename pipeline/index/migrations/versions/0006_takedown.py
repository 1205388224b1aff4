"""Order lines by product and by variant inside a window: a recall's affected-order
search (`Recalls.affected_orders`) matches a line by SKU, product or variant; with only
the SKU indexed, the OR of the three read every line of the store (`bcrm bench recalls`:
185 ms at 1,000,000 lines on SQLite, 1.3 ms with these two indexes, which both SQLite's
multi-index OR and PostgreSQL's bitmap OR combine with the SKU index).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_order_lines_product_order_date", "order_lines", ["product_id", "order_date"]
    )
    op.create_index(
        "ix_order_lines_variant_order_date", "order_lines", ["variant_id", "order_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_variant_order_date", table_name="order_lines")
    op.drop_index("ix_order_lines_product_order_date", table_name="order_lines")
