"""saved simulations of rule changes (仿真)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "simulations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, comment="the kind of rule"),
        sa.Column("label", sa.String(200), nullable=False, comment="the proposal"),
        sa.Column("source", sa.Text(), nullable=False, comment="the file or folder simulated"),
        sa.Column("digest", sa.String(64), nullable=False, comment="SHA-256 of its text"),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("looked", sa.BigInteger(), nullable=False),
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.Column(
            "report", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False,
            comment="the whole report (counts, examples)",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
    )  # fmt: skip
    op.create_index("ix_simulations_created", "simulations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_simulations_created", table_name="simulations")
    op.drop_table("simulations")
