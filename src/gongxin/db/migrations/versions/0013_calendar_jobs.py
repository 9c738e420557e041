"""working-day calendar, submissions' arrival day and back-load flag, job runs, report cache

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working", sa.Boolean(), nullable=False, comment="法定工作日 (调休 included)"),
        sa.Column("working_index", sa.Integer(), nullable=False, comment="working days up to day"),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", big_id, nullable=False),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("started_at", stamp, nullable=False),
        sa.Column("finished_at", stamp, nullable=True),
        sa.Column("status", sa.String(10), nullable=False, comment="running | ok | error"),
        sa.Column("counts", json, nullable=False, comment="what the run did, by name"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index("ix_job_runs_job_started_at", "job_runs", ["job", "started_at"])
    op.create_table(
        "report_cache",
        sa.Column("key", sa.String(200), nullable=False, comment="report and its parameters"),
        sa.Column("day", sa.Date(), nullable=False, comment="the China day it was computed for"),
        sa.Column("payload", json, nullable=False),
        sa.Column("computed_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("key", "day", name=op.f("pk_report_cache")),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(
            sa.Column(
                "received_on",
                sa.Date(),
                nullable=True,
                comment="China calendar day of received_at (timeliness)",
            )
        )
        batch.add_column(
            sa.Column(
                "backload",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="存量补录: historical records, not judged for timeliness",
            )
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE submissions SET received_on = date(received_at, '+8 hours')")
    else:
        op.execute(
            "UPDATE submissions SET received_on ="
            " CAST(timezone('UTC', received_at) + interval '8 hours' AS date)"
        )
    op.create_index("ix_records_dataset_event_date", "records", ["dataset", "event_date"])
    # calendar_days is filled by gongxin.db.calendar.sync, which migrate.upgrade runs after
    # every upgrade (it also follows later releases of the holiday data).


def downgrade() -> None:
    op.drop_index("ix_records_dataset_event_date", table_name="records")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("backload")
        batch.drop_column("received_on")
    op.drop_table("report_cache")
    op.drop_index("ix_job_runs_job_started_at", table_name="job_runs")
    op.drop_table("job_runs")
    op.drop_table("calendar_days")
