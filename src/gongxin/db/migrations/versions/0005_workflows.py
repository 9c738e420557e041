"""check feedback

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "check_feedback",
        sa.Column("id", big_id, nullable=False),
        sa.Column("check_id", sa.String(32), nullable=False),
        sa.Column(
            "position", sa.Integer(), nullable=False, comment="the subject's place in the check"
        ),
        sa.Column("measure_id", sa.String(100), nullable=False, comment="<memorandum id>-<n>"),
        sa.Column("applied", sa.Boolean(), nullable=False, comment="已执行 / 未执行"),
        sa.Column(
            "reason", sa.Text(), nullable=True, comment="未执行理由; required when not applied"
        ),
        sa.Column("doc_no", sa.String(200), nullable=True, comment="业务文书编号"),
        sa.Column("operator", sa.String(200), nullable=False, comment="经办人"),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False, comment="key:<prefix> | user:<n> | cli"),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"], ["checks.id"], name=op.f("fk_check_feedback_check_id_checks")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_check_feedback_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_feedback")),
        sa.UniqueConstraint(
            "check_id",
            "position",
            "measure_id",
            name=op.f("uq_check_feedback_check_id_position_measure_id"),
        ),
    )
    op.create_index(op.f("ix_check_feedback_department_id"), "check_feedback", ["department_id"])
    op.create_index(op.f("ix_check_feedback_reported_at"), "check_feedback", ["reported_at"])


def downgrade() -> None:
    op.drop_table("check_feedback")
