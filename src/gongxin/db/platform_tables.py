"""Tables of the platform's own housekeeping: the working-day calendar, the scheduled jobs'
runs and the per-day cache of computed reports.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them (migration 0013).
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

# The cumulative working-day index of ``gongxin.clock`` as a table, so that SQL counts the
# working days between two dates with two lookups: working_index(b) - working_index(a) is the
# number of working days in (a, b]. Filled and kept in step with the installed holiday data by
# ``gongxin.db.calendar.sync`` (run by every ``gongxin init``).
calendar_days = sa.Table(
    "calendar_days",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("is_working", sa.Boolean, nullable=False, comment="法定工作日 (调休 included)"),
    sa.Column("working_index", sa.Integer, nullable=False, comment="working days up to day"),
)

# One row per run of a scheduled job (``gongxin worker``).
job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("job", sa.String(64), nullable=False),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Column("status", sa.String(10), nullable=False, comment="running | ok | error"),
    sa.Column("counts", Json, nullable=False, comment="what the run did, by name"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_job_runs_job_started_at", "job", "started_at"),
)

# Reports computed once per China day and parameters (e.g. the 双公示 timeliness).
report_cache = sa.Table(
    "report_cache",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True, comment="report and its parameters"),
    sa.Column("day", sa.Date, primary_key=True, comment="the China day it was computed for"),
    sa.Column("payload", Json, nullable=False),
    sa.Column("computed_at", Timestamp, nullable=False),
)
