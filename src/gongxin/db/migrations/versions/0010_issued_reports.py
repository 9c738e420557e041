"""issued credit reports (content snapshot and PDF hash)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "issued_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_no", sa.String(24), nullable=False, comment="报告编号"),
        sa.Column(
            "subject_code", sa.String(18), nullable=False, comment="USCC or registration no."
        ),
        sa.Column("as_of", sa.Date(), nullable=False, comment="信息截止日期"),
        sa.Column("content_sha256", sa.String(64), nullable=False, comment="printed on the report"),
        sa.Column("pdf_sha256", sa.String(64), nullable=False, comment="of the file"),
        sa.Column("content", json, nullable=False, comment="the report's content as issued"),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_reports")),
        sa.UniqueConstraint("pdf_sha256", name=op.f("uq_issued_reports_pdf_sha256")),
    )
    op.create_index(
        op.f("ix_issued_reports_report_no"), "issued_reports", ["report_no"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_reports_report_no"), table_name="issued_reports")
    op.drop_table("issued_reports")
