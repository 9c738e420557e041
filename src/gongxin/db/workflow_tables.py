"""Tables of workflows: credit-check feedback (反馈).

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.

- ``check_feedback``: what the department that ran a credit check did about each measure the
  check triggered for a subject (已执行 applied / 未执行 not applied with a reason), with the
  business document it concerns and who reported it. One row per (check, subject position,
  measure): a later report of the same item replaces the earlier one, which the audit log keeps.

Credit commitments need no table of their own: they are records of the ``commitment`` dataset,
made and updated through the intake store (see gongxin.workflows.commitments).
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

check_feedback = sa.Table(
    "check_feedback",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("check_id", sa.ForeignKey("checks.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False, comment="the subject's place in the check"),
    sa.Column("measure_id", sa.String(100), nullable=False, comment="<memorandum id>-<n>"),
    sa.Column("applied", sa.Boolean, nullable=False, comment="已执行 / 未执行"),
    sa.Column("reason", sa.Text, nullable=True, comment="未执行理由; required when not applied"),
    sa.Column("doc_no", sa.String(200), nullable=True, comment="业务文书编号"),
    sa.Column("operator", sa.String(200), nullable=False, comment="经办人"),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False, comment="key:<prefix> | user:<n> | cli"),
    sa.Column("reported_at", Timestamp, nullable=False, index=True),
    sa.UniqueConstraint("check_id", "position", "measure_id"),
)

# --- objections (异议) and credit repair (信用修复): gongxin.workflows.applications -------------
# One row per application; ``kind`` says which. The 查询码 is kept only as its SHA-256.
applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False, comment="objection | repair"),
    sa.Column("number", sa.String(24), nullable=False, unique=True, comment="受理编号, shown"),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True, comment="SHA-256 of 查询码"),
    sa.Column("record_id", sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("state", sa.String(12), nullable=False, index=True),
    sa.Column("applicant", sa.String(200), nullable=False),
    sa.Column("subject_code", sa.String(32), nullable=False),
    sa.Column("phone", sa.String(40), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("checklist", Json, nullable=False, comment="conditions checked at filing"),
    sa.Column("jurisdiction", sa.String(40), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False, comment="last working day to decide"),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("outcome", sa.String(12), nullable=True),
    sa.Column("reasons", sa.Text, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reminded_on", sa.Date, nullable=True, comment="deadline-near e-mail sent"),
    sa.Column(
        "extended_days",
        sa.Integer,
        nullable=False,
        server_default="0",
        comment="working days added by the department's one extension",
    ),
    sa.Column("extension_reason", sa.Text, nullable=True),
    sa.Column(
        "paused_days",
        sa.Integer,
        nullable=False,
        server_default="0",
        comment="working days the clock stood still (closed pauses)",
    ),
    sa.Column("paused_since", sa.Date, nullable=True, comment="the clock stands still"),
    sa.Column("pause_kind", sa.String(20), nullable=True, comment="the open pause's kind"),
    sa.Column("pause_reason", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

attachments = sa.Table(
    "application_attachments",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("application_id", sa.ForeignKey("applications.id"), nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(40), nullable=False, comment="by content"),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

# E-mails to send: written in the transaction of the step they tell, sent by the worker's
# ``outbox`` job, retried until sent (never deleted).
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("to_addr", sa.String(254), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("application_id", sa.ForeignKey("applications.id"), nullable=True, index=True),
    sa.Column("status", sa.String(8), nullable=False, comment="queued | sent"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("next_try_at", Timestamp, nullable=False),
    sa.Column("sent_at", Timestamp, nullable=True),
    sa.Index("ix_outbox_status_next_try_at", "status", "next_try_at"),
)
