"""The saved simulations (仿真): one row per dry run of a rule change the centre kept, with its
whole report, so that proposals can be read and compared before one is adopted (migration 0031).
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

simulations = sa.Table(
    "simulations",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False, comment="the kind of rule"),
    sa.Column("label", sa.String(200), nullable=False, comment="the proposal"),
    sa.Column("source", sa.Text, nullable=False, comment="the file or folder simulated"),
    sa.Column("digest", sa.String(64), nullable=False, comment="SHA-256 of its text"),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("engine", sa.String(20), nullable=False),
    sa.Column("looked", sa.BigInteger, nullable=False),
    sa.Column("changed", sa.BigInteger, nullable=False),
    sa.Column("report", Json, nullable=False, comment="the whole report (counts, examples)"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Index("ix_simulations_created", "created_at"),
)
