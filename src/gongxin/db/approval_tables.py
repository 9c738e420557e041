"""Tables of parallel approval (并联审批): gongxin.approval.

- ``approval_applications``: one application for one matter (审批事项); its 查询码 kept only as
  SHA-256; the credit check run when it was filed (id and the applicant's result, shared with
  every reviewer); for 容缺受理 the missing materials and their deadline.
- ``approval_reviews``: one row per department reviewing the application in parallel, with its
  own deadline (working days), its decision and the credit check re-run before an approval.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

approval_applications = sa.Table(
    "approval_applications",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True, comment="受理编号"),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True, comment="SHA-256 of 查询码"),
    sa.Column("matter", sa.String(50), nullable=False, index=True, comment="事项代码"),
    sa.Column("mode", sa.String(16), nullable=False, comment="standard | tolerance | promise"),
    sa.Column("applicant", sa.String(200), nullable=False, comment="申请人名称"),
    sa.Column("applicant_code", sa.String(32), nullable=False, index=True, comment="申请人代码"),
    sa.Column("project_code", sa.String(24), nullable=True, index=True, comment="项目代码"),
    sa.Column("materials", Json, nullable=False, comment="material codes handed in"),
    sa.Column("promised", Json, nullable=False, comment="materials replaced by a promise"),
    sa.Column("missing", Json, nullable=False, comment="容缺: materials still owed"),
    sa.Column("docs_due_on", sa.Date, nullable=True, comment="容缺: deadline for missing ones"),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("received_on", sa.Date, nullable=False, index=True),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("check_id", sa.String(32), nullable=False, comment="credit check at intake"),
    sa.Column("credit", Json, nullable=False, comment="the applicant's result of that check"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

approval_reviews = sa.Table(
    "approval_reviews",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column(
        "application_id", sa.ForeignKey("approval_applications.id"), nullable=False, index=True
    ),
    sa.Column("department", sa.String(100), nullable=False, index=True, comment="审查部门"),
    sa.Column("due_on", sa.Date, nullable=False, comment="the department's deadline"),
    sa.Column("state", sa.String(16), nullable=False, comment="pending | approved | refused"),
    sa.Column("opinion", sa.Text, nullable=True, comment="审查意见"),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("overdue", sa.Boolean, nullable=False, comment="decided after due_on"),
    sa.Column("check_id", sa.String(32), nullable=True, comment="re-check before approval"),
    sa.Column("credit", Json, nullable=True, comment="the applicant's result of the re-check"),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("application_id", "department"),
)
