"""an index on the deciding authority of licences and penalties (the 双公示 filter)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# the expression of gongxin.db.models.deciding_authority, as each dialect writes it
_POSTGRESQL = "(COALESCE(data ->> 'CF_CFJG', data ->> 'XK_XKJG'))"
_SQLITE = "COALESCE(json_extract(data, '$.CF_CFJG'), json_extract(data, '$.XK_XKJG'))"


def upgrade() -> None:
    expression = _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE
    op.create_index(
        "ix_records_authority",
        "records",
        [sa.text("dataset"), sa.text(expression), sa.text("event_date")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_records_authority", table_name="records")
