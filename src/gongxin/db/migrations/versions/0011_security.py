"""login throttling per account and address, credit-check usage, instance secrets

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(64), nullable=False, comment="as typed, known or not"),
        sa.Column("address", sa.String(64), nullable=False, comment="client address"),
        sa.Column("failures", sa.Integer(), nullable=False, comment="in a row, from this address"),
        sa.Column("last_failed_at", stamp, nullable=False),
        sa.Column("locked_until", stamp, nullable=True),
        sa.PrimaryKeyConstraint("username", "address", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_last_failed_at"), "login_throttle", ["last_failed_at"])
    op.create_table(
        "check_usage",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="China calendar day"),
        sa.Column("subjects", sa.BigInteger(), nullable=False, comment="subjects checked that day"),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_check_usage_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("key_id", "day", name=op.f("pk_check_usage")),
    )
    op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(128), nullable=False, comment="random, made at first use"),
        sa.Column("created_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )


def downgrade() -> None:
    op.drop_table("instance_secrets")
    op.drop_table("check_usage")
    op.drop_index(op.f("ix_login_throttle_last_failed_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
