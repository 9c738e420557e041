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

from gongxin.db.models import BigId, Timestamp, metadata

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
