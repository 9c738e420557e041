"""Tables of credit evaluation (信用评价) and risk classification: each run of a model, its
result per subject and each indicator's contribution with the records that caused it.

A run row is written first (``running``) and marked ``complete`` in the transaction that writes
its results; the current run of a model is its latest complete one. Migration 0015.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

evaluation_runs = sa.Table(
    "evaluation_runs",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("model", sa.String(40), nullable=False, comment="model code"),
    sa.Column("model_version", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False, comment="grade | risk"),
    sa.Column("definition", Json, nullable=False, comment="the model as run (its file, parsed)"),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("engine", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, comment="running | complete | error"),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Column("subjects", sa.Integer, nullable=False, default=0),
    sa.Column("records", sa.Integer, nullable=False, default=0, comment="records counted"),
    sa.Column("grades", Json, nullable=False, comment="subjects per grade"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_evaluation_runs_model_status", "model", "status", "as_of"),
)

evaluation_results = sa.Table(
    "evaluation_results",
    metadata,
    sa.Column("run_id", sa.ForeignKey("evaluation_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), primary_key=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("score", sa.Numeric(12, 2), nullable=False),
    sa.Column("grade", sa.String(8), nullable=False),
    sa.Index("ix_evaluation_results_subject", "subject_id"),
)

evaluation_contributions = sa.Table(
    "evaluation_contributions",
    metadata,
    sa.Column("run_id", sa.ForeignKey("evaluation_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), primary_key=True),
    sa.Column("indicator", sa.String(40), primary_key=True),
    sa.Column("points", sa.Numeric(12, 2), nullable=False, comment="after cap, signed"),
    sa.Column("record_ids", Json, nullable=False, comment="the records counted, in id order"),
)

# One 双随机 draw from a risk-classification run: its seed and what was drawn per class.
risk_draws = sa.Table(
    "risk_draws",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("run_id", sa.ForeignKey("evaluation_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("task", sa.String(200), nullable=False, comment="the inspection task's name"),
    sa.Column("seed", sa.String(64), nullable=False),
    sa.Column("drawn", Json, nullable=False, comment="subject ids drawn, per class"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
)
