"""Tables of sharing and exchange: providers, requests, grants, the change log.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them. The change
log is filled by database triggers on ``records`` (migration 0007), so intake writes it without
knowing it exists.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

# Which departments answer requests for a dataset (信息资源提供方). When a dataset has no row
# here, the departments that submitted its records are its providers.
dataset_providers = sa.Table(
    "dataset_providers",
    metadata,
    sa.Column("dataset", sa.String(64), primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), primary_key=True),
    sa.Column("assigned_at", Timestamp, nullable=False),
    sa.Column("assigned_by", sa.String(200), nullable=False, comment="actor"),
)

share_requests = sa.Table(
    "share_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False, comment="用途"),
    sa.Column("fields", Json, nullable=False, comment="requested field codes"),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, comment="pending | approved | refused"),
    sa.Column("submitted_at", Timestamp, nullable=False),
    sa.Column("submitted_by", sa.String(200), nullable=False, comment="actor"),
    sa.Column("deadline", sa.Date, nullable=False, comment="reply due by (working days)"),
    sa.Column("decided_at", Timestamp, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True, comment="actor"),
    sa.Column("decided_department_id", sa.ForeignKey("departments.id"), nullable=True),
    sa.Column("reasons", sa.Text, nullable=True, comment="refusal reasons or approval note"),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, index=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("fields", Json, nullable=True, comment="granted field codes; null = all"),
    sa.Column("purpose", sa.Text, nullable=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=True, comment="last day of use; null = open"),
    sa.Column("request_id", sa.ForeignKey("share_requests.id"), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("revoked_at", Timestamp, nullable=True),
    sa.Index("ix_grants_dataset_department_id", "dataset", "department_id"),
)

# One row per change of a record, in commit-safe order (see gongxin.exchange.changefeed).
# ``payload`` and ``shared`` are the version's data (JSON text) and its stored sharing decision,
# copied by the triggers on ``records`` (migration 0023) and kept by the recompute
# (gongxin.records.feed_marks), so that the feed reads this table alone.
# ``ends_on`` is the expiry sweep's (gongxin.exchange.expiry): on an ``expire`` row the day the
# record stopped being in force; on insert/update rows the expiry still due (null: not looked
# at yet, 9999-12-31: none due).
ENDS_ON_COMMENT = "expire: day it stopped being in force; insert/update: expiry due (sweep)"
change_log = sa.Table(
    "change_log",
    metadata,
    sa.Column("seq", BigId, primary_key=True),
    sa.Column("record_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("op", sa.String(10), nullable=False, comment="insert | update | expire"),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("txid", sa.BigInteger, nullable=True, comment="PostgreSQL: the writer's txid"),
    sa.Column("ends_on", sa.Date, nullable=True, comment=ENDS_ON_COMMENT),
    sa.Column("reason", sa.String(200), nullable=True, comment="expire: the gate's reason"),
    sa.Column(
        "payload",
        sa.Text,
        nullable=True,
        comment="the version's data as JSON text, copied when the change is written (0023)",
    ),
    sa.Column(
        "shared",
        sa.Boolean,
        nullable=True,
        comment="departments may read the version (its stored decision); null: unknown",
    ),
    sa.Column(
        "body",
        sa.Text,
        nullable=True,
        comment="the change's JSON as the feed serves it, without its seq (0033)",
    ),
    sa.Index("ix_change_log_dataset_seq", "dataset", "seq"),
    sa.Index("ix_change_log_dataset_txid", "dataset", "txid"),
    sa.Index("ix_change_log_dataset_op_ends_on_seq", "dataset", "op", "ends_on", "seq"),
)
