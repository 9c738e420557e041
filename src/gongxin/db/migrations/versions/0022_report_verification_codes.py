"""the 验证码 (verification code) of issued credit reports

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_reports") as batch:
        batch.add_column(
            sa.Column(
                "verification_code",
                sa.String(12),
                nullable=True,
                comment="验证码 printed on the report; the same for every file of one report",
            )
        )
        batch.create_index(
            op.f("ix_issued_reports_verification_code"), ["verification_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_reports") as batch:
        batch.drop_index(op.f("ix_issued_reports_verification_code"))
        batch.drop_column("verification_code")
