"""Tables of credit complaints (信用投诉, gongxin.market.complaints).

- ``complaints``: one row per complaint against a registered company; the complainant's 查询码
  is kept only as its SHA-256; the state runs received → accepted (forwarded to the company,
  waiting for its reply) | refused → replied | overdue (the reply deadline passed) → replied
  late; the complainant's rating closes it. ``record_id`` is the complaint's credit record
  (dataset ``complaint``), written on acceptance and corrected on every later step.
- ``complaint_evidence``: the evidence files (PDF, JPG, PNG by content) by SHA-256, stored
  under ``var_dir/attachments`` like the attachments of objections.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Timestamp, metadata

complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("number", sa.String(24), nullable=False, unique=True, comment="投诉编号, shown"),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True, comment="SHA-256 of 查询码"),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False, index=True),
    sa.Column("company_name", sa.String(500), nullable=False, comment="as registered"),
    sa.Column("company_code", sa.String(18), nullable=False, comment="USCC or reg. number"),
    sa.Column("company_email", sa.String(254), nullable=True, comment="where the link went"),
    sa.Column("complainant", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(40), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("category", sa.String(40), nullable=False, index=True),
    sa.Column("claim", sa.Text, nullable=False, comment="诉求"),
    sa.Column("facts", sa.Text, nullable=False, comment="事实与经过"),
    sa.Column("state", sa.String(12), nullable=False, index=True),
    sa.Column("received_on", sa.Date, nullable=False, index=True),
    sa.Column("triage_due", sa.Date, nullable=False, comment="last working day to triage"),
    sa.Column("triaged_on", sa.Date, nullable=True),
    sa.Column("triaged_by", sa.String(200), nullable=True),
    sa.Column("refusal_reason", sa.String(40), nullable=True),
    sa.Column("refusal_note", sa.Text, nullable=True),
    sa.Column("public_summary", sa.Text, nullable=True, comment="what the credit record shows"),
    sa.Column("reply_due", sa.Date, nullable=True, comment="last working day to reply"),
    sa.Column("reply", sa.Text, nullable=True),
    sa.Column("replied_on", sa.Date, nullable=True),
    sa.Column("overdue_on", sa.Date, nullable=True, comment="marked overdue that day"),
    sa.Column("rating", sa.String(20), nullable=True),
    sa.Column("rating_note", sa.Text, nullable=True),
    sa.Column("rated_on", sa.Date, nullable=True),
    sa.Column("typical", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("typical_text", sa.Text, nullable=True, comment="anonymised case narrative"),
    sa.Column("typical_view", sa.Text, nullable=True, comment="the analyst's view"),
    sa.Column("record_id", sa.ForeignKey("records.id"), nullable=True, index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

complaint_evidence = sa.Table(
    "complaint_evidence",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("complaint_id", sa.ForeignKey("complaints.id"), nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(40), nullable=False, comment="by content"),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)
