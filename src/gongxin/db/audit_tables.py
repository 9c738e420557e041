"""Tables of the append-only, hash-chained audit log.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", BigId, primary_key=True, comment="order of the chain"),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False, comment="user:<name> | key:<prefix> | cli"),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=True, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True, comment="e.g. exchange.read"),
    sa.Column("target", sa.String(300), nullable=False, comment="what was read or changed"),
    sa.Column("purpose", sa.Text, nullable=True, comment="用途: why, as the caller stated it"),
    sa.Column("detail", Json, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)
