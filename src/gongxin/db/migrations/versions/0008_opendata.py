"""open-data keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "opendata_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False, comment="shown, for lookup"),
        sa.Column("key_hash", sa.String(64), nullable=False, comment="SHA-256 of the whole key"),
        sa.Column("holder", sa.String(200), nullable=False, comment="使用者: who the key is for"),
        sa.Column("quota_per_day", sa.Integer(), nullable=False, comment="requests per China day"),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False, comment="requests per minute"),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("expires_at", stamp, nullable=True),
        sa.Column("revoked_at", stamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_opendata_keys_prefix")),
    )
    op.create_table(
        "opendata_usage",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="China calendar day"),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["opendata_keys.id"], name=op.f("fk_opendata_usage_key_id_opendata_keys")
        ),
        sa.PrimaryKeyConstraint("key_id", "day", name=op.f("pk_opendata_usage")),
    )


def downgrade() -> None:
    op.drop_table("opendata_usage")
    op.drop_table("opendata_keys")
