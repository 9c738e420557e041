"""the change feed's expiry reason stored with each expire event

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # written when the expiry is appended (gongxin.exchange.expiry); older expire rows keep
    # null and have their reason found by the gate when read
    op.add_column(
        "change_log",
        sa.Column("reason", sa.String(200), nullable=True, comment="expire: the gate's reason"),
    )


def downgrade() -> None:
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("reason")
