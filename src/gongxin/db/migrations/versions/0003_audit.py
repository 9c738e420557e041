"""audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "audit_log",
        sa.Column("seq", big_id, nullable=False, comment="order of the chain"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "actor", sa.String(200), nullable=False, comment="user:<name> | key:<prefix> | cli"
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False, comment="e.g. exchange.read"),
        sa.Column("target", sa.String(300), nullable=False, comment="what was read or changed"),
        sa.Column(
            "purpose", sa.Text(), nullable=True, comment="用途: why, as the caller stated it"
        ),
        sa.Column("detail", json, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_audit_log_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_index(op.f("ix_audit_log_department_id"), "audit_log", ["department_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
