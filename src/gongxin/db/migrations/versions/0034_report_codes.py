"""one 验证码 per report, claimed once: simultaneous downloads of a report share its code

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_no", sa.String(24), nullable=False, comment="报告编号"),
        sa.Column("content_sha256", sa.String(64), nullable=False, comment="the report's content"),
        sa.Column("verification_code", sa.String(12), nullable=False, comment="验证码"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_codes")),
        sa.UniqueConstraint(
            "report_no", "content_sha256", name=op.f("uq_report_codes_report_no_content_sha256")
        ),
        sa.UniqueConstraint("verification_code", name=op.f("uq_report_codes_verification_code")),
        comment="one 验证码 per report (number and content), claimed by its first download",
    )
    # the codes already issued: the first issue's code of each report (and each code once)
    op.execute(
        """
        INSERT INTO report_codes (report_no, content_sha256, verification_code, created_at)
        SELECT report_no, content_sha256, verification_code, issued_at FROM issued_reports
        WHERE id IN (SELECT MIN(id) FROM issued_reports WHERE verification_code IS NOT NULL
                     GROUP BY report_no, content_sha256)
          AND id IN (SELECT MIN(id) FROM issued_reports WHERE verification_code IS NOT NULL
                     GROUP BY verification_code)
        """
    )


def downgrade() -> None:
    op.drop_table("report_codes")
