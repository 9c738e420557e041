"""objections and repair: the department's one extension and the clock's pauses

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column(
                "extended_days", sa.Integer(), nullable=False, server_default="0",
                comment="working days added by the department's one extension",
            )
        )  # fmt: skip
        batch.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "paused_days", sa.Integer(), nullable=False, server_default="0",
                comment="working days the clock stood still (closed pauses)",
            )
        )  # fmt: skip
        batch.add_column(
            sa.Column("paused_since", sa.Date(), nullable=True, comment="the clock stands still")
        )
        batch.add_column(
            sa.Column("pause_kind", sa.String(20), nullable=True, comment="the open pause's kind")
        )
        batch.add_column(sa.Column("pause_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for name in (
            "pause_reason", "pause_kind", "paused_since", "paused_days", "extension_reason",
            "extended_days",
        ):  # fmt: skip
            batch.drop_column(name)
