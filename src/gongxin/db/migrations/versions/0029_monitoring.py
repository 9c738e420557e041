"""economic-operation monitoring: subjects' exit date; monitoring runs and their figures

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _run_id() -> sa.Column[int]:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    return sa.Column(
        "run_id",
        big_id,
        sa.ForeignKey("monitoring_runs.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column("exit_date", sa.Date(), nullable=True, comment="注销、吊销或撤销日期")
        )
    op.create_table(
        "monitoring_runs",
        sa.Column("id", big_id, primary_key=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("engine", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, comment="running | complete | error"),
        sa.Column("started_at", stamp, nullable=False),
        sa.Column("finished_at", stamp, nullable=True),
        sa.Column("rules", json, nullable=False, comment="the monitoring rules as run"),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_monitoring_runs_status", "monitoring_runs", ["status", "as_of"])
    op.create_table(
        "monitoring_flow",
        _run_id(),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("month", sa.Integer(), primary_key=True),
        sa.Column("registered", sa.Integer(), nullable=False, comment="设立"),
        sa.Column("deregistered", sa.Integer(), nullable=False, comment="注销"),
        sa.Column("revoked", sa.Integer(), nullable=False, comment="吊销"),
        sa.Column("cancelled", sa.Integer(), nullable=False, comment="撤销"),
    )
    op.create_table(
        "monitoring_survival",
        _run_id(),
        sa.Column("dimension", sa.String(10), primary_key=True, comment="all | industry | region"),
        sa.Column("key", sa.String(10), primary_key=True, comment="GB/T 4754 门类 or GB/T 2260"),
        sa.Column("horizon", sa.Integer(), primary_key=True, comment="years"),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column(
            "at_risk", sa.Integer(), nullable=False, comment="registered at least k years ago"
        ),
        sa.Column("survived", sa.Integer(), nullable=False, comment="not exited k years on"),
    )
    op.create_table(
        "monitoring_cohorts",
        _run_id(),
        sa.Column("year", sa.Integer(), primary_key=True, comment="founding year"),
        sa.Column("founded", sa.Integer(), nullable=False),
        sa.Column(
            "penalised", sa.Integer(), nullable=False, comment="with an administrative penalty"
        ),
        sa.Column("listed", sa.Integer(), nullable=False, comment="put on a list (名单)"),
        sa.Column("exited", sa.Integer(), nullable=False, comment="注销, 吊销 or 撤销"),
    )
    op.create_table(
        "monitoring_scorecards",
        _run_id(),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("departments.id"), primary_key=True),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column(
            "judged", sa.Integer(), nullable=False, comment="双公示 records judged for timeliness"
        ),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column(
            "fields", sa.BigInteger(), nullable=False, comment="catalog fields of its records"
        ),
        sa.Column("filled", sa.BigInteger(), nullable=False, comment="of which filled"),
        sa.Column("rows", sa.Integer(), nullable=False, comment="rows submitted"),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("sgs_rows", sa.Integer(), nullable=False, comment="双公示 rows submitted"),
        sa.Column("sgs_clean", sa.Integer(), nullable=False, comment="without error or warning"),
        sa.Column("due", sa.Integer(), nullable=False, comment="objections and repairs due"),
        sa.Column("kept", sa.Integer(), nullable=False, comment="decided by their deadline"),
        sa.Column("score", sa.Numeric(6, 2), nullable=False, comment="weighted, 0–100"),
    )


def downgrade() -> None:
    for table in ("monitoring_scorecards", "monitoring_cohorts", "monitoring_survival",
                  "monitoring_flow"):  # fmt: skip
        op.drop_table(table)
    op.drop_index("ix_monitoring_runs_status", table_name="monitoring_runs")
    op.drop_table("monitoring_runs")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("exit_date")
