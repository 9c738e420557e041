"""Tables of issued credit reports: what each report said when it was issued.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import Json, Timestamp, metadata

issued_reports = sa.Table(
    "issued_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_no", sa.String(24), nullable=False, index=True, comment="报告编号"),
    sa.Column("subject_code", sa.String(18), nullable=False, comment="USCC or registration no."),
    sa.Column("as_of", sa.Date, nullable=False, comment="信息截止日期"),
    sa.Column("content_sha256", sa.String(64), nullable=False, comment="printed on the report"),
    sa.Column("pdf_sha256", sa.String(64), nullable=False, unique=True, comment="of the file"),
    sa.Column("content", Json, nullable=False, comment="the report's content as issued"),
    sa.Column("issued_at", Timestamp, nullable=False),
    sa.Column(
        "verification_code",
        sa.String(12),
        nullable=True,
        index=True,
        comment="验证码 printed on the report; the same for every file of one report",
    ),
)

report_codes = sa.Table(
    "report_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_no", sa.String(24), nullable=False, comment="报告编号"),
    sa.Column("content_sha256", sa.String(64), nullable=False, comment="the report's content"),
    sa.Column("verification_code", sa.String(12), nullable=False, unique=True, comment="验证码"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("report_no", "content_sha256"),
    comment="one 验证码 per report (number and content), claimed by its first download",
)
