"""the change feed's expiry reason stored with each expire event; each record version's
public (masked) view stored beside its decision

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
    # the version as the public reads it (gongxin.records.decisions.public_text), written with
    # the decision; stored rows are back-filled by the same function the recompute uses
    op.add_column(
        "records",
        sa.Column(
            "public_data",
            sa.Text,
            nullable=True,
            comment="the version masked for the public, JSON text; null: never public (0017)",
        ),
    )
    _back_fill()


def _back_fill() -> None:
    from gongxin.catalog.registry import load_catalog
    from gongxin.records import recompute, regimes
    from gongxin.settings import get_settings

    settings = get_settings()
    regimes.configure(settings.regimes_dir)
    recompute.apply(op.get_bind(), load_catalog(settings.catalog_dir))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("public_data")
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("reason")
