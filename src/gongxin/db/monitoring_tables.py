"""Tables of economic-operation monitoring (经济运行监测): each refresh of the figures (a run)
and the figures it computed, one table per kind of figure.

A run row is written first (``running``) and marked ``complete`` in the transaction that writes
its figures, so the dashboards read the latest complete run while a new one is computed.
Shares are not stored: each row keeps its counts (numerator and base), so that totals add up
and a share is computed when shown. Migration 0029.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

monitoring_runs = sa.Table(
    "monitoring_runs",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("engine", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, comment="running | complete | error"),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Column("rules", Json, nullable=False, comment="the monitoring rules as run"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_monitoring_runs_status", "status", "as_of"),
)


def _run_id() -> sa.Column[int]:
    return sa.Column(
        "run_id", sa.ForeignKey("monitoring_runs.id", ondelete="CASCADE"), primary_key=True
    )


# 市场主体增减: registrations and exits per calendar month
monitoring_flow = sa.Table(
    "monitoring_flow",
    metadata,
    _run_id(),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),
    sa.Column("registered", sa.Integer, nullable=False, comment="设立"),
    sa.Column("deregistered", sa.Integer, nullable=False, comment="注销"),
    sa.Column("revoked", sa.Integer, nullable=False, comment="吊销"),
    sa.Column("cancelled", sa.Integer, nullable=False, comment="撤销"),
)

# 生存率: per dimension (all | industry | region) and key, at 1, 3 and 5 years
monitoring_survival = sa.Table(
    "monitoring_survival",
    metadata,
    _run_id(),
    sa.Column("dimension", sa.String(10), primary_key=True, comment="all | industry | region"),
    sa.Column("key", sa.String(10), primary_key=True, comment="GB/T 4754 门类 or GB/T 2260"),
    sa.Column("horizon", sa.Integer, primary_key=True, comment="years"),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("at_risk", sa.Integer, nullable=False, comment="registered at least k years ago"),
    sa.Column("survived", sa.Integer, nullable=False, comment="not exited k years on"),
)

# 新设小微企业: each founding year's cohort and how it fared
monitoring_cohorts = sa.Table(
    "monitoring_cohorts",
    metadata,
    _run_id(),
    sa.Column("year", sa.Integer, primary_key=True, comment="founding year"),
    sa.Column("founded", sa.Integer, nullable=False),
    sa.Column("penalised", sa.Integer, nullable=False, comment="with an administrative penalty"),
    sa.Column("listed", sa.Integer, nullable=False, comment="put on a list (名单)"),
    sa.Column("exited", sa.Integer, nullable=False, comment="注销, 吊销 or 撤销"),
)

# 归集考核: per provider department
monitoring_scorecards = sa.Table(
    "monitoring_scorecards",
    metadata,
    _run_id(),
    sa.Column("department_id", sa.ForeignKey("departments.id"), primary_key=True),
    sa.Column("department", sa.String(200), nullable=False),
    sa.Column("judged", sa.Integer, nullable=False, comment="双公示 records judged for timeliness"),
    sa.Column("on_time", sa.Integer, nullable=False),
    sa.Column("fields", sa.BigInteger, nullable=False, comment="catalog fields of its records"),
    sa.Column("filled", sa.BigInteger, nullable=False, comment="of which filled"),
    sa.Column("rows", sa.Integer, nullable=False, comment="rows submitted"),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("sgs_rows", sa.Integer, nullable=False, comment="双公示 rows submitted"),
    sa.Column("sgs_clean", sa.Integer, nullable=False, comment="without error or warning"),
    sa.Column("due", sa.Integer, nullable=False, comment="objections and repairs due"),
    sa.Column("kept", sa.Integer, nullable=False, comment="decided by their deadline"),
    sa.Column("score", sa.Numeric(6, 2), nullable=False, comment="weighted, 0–100"),
)
