"""visibility decisions stored beside each record

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN on both dialects: SQLite keeps the table (and its
    # expression index) instead of copying it
    op.add_column(
        "records",
        sa.Column(
            "status",
            sa.String(12),
            nullable=False,
            server_default="in_force",
            comment="in_force | withdrawn | revoked | repaired | objection",
        ),
    )
    for name in ("natural_person", "is_shared", "is_public", "in_force"):
        op.add_column(
            "records", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.add_column(
        "records",
        sa.Column("pub_from", sa.Date(), nullable=True, comment="first day of its window"),
    )
    op.add_column(
        "records",
        sa.Column(
            "pub_until", sa.Date(), nullable=True, comment="last day of its window; null: open"
        ),
    )
    op.create_index(
        "ix_records_public_list",
        "records",
        ["dataset", "is_public", "event_date", "id", "pub_from", "pub_until"],
    )
    op.create_index("ix_records_in_force", "records", ["dataset", "in_force", "pub_until"])
    _back_fill()


def _back_fill() -> None:
    """Every stored record gets the gate's decision, computed by the same function intake
    uses, a batch at a time (``gongxin visibility recompute`` does the same later)."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.records import recompute, regimes
    from gongxin.settings import get_settings

    settings = get_settings()
    regimes.configure(settings.regimes_dir)
    recompute.apply(op.get_bind(), load_catalog(settings.catalog_dir))


def downgrade() -> None:
    op.drop_index("ix_records_in_force", table_name="records")
    op.drop_index("ix_records_public_list", table_name="records")
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name in (
            "pub_until",
            "pub_from",
            "in_force",
            "is_public",
            "is_shared",
            "natural_person",
            "status",
        ):
            batch_op.drop_column(name)
