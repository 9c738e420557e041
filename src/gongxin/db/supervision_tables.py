"""Tables of big-data supervision (大数据监管): who is related to whom, and probabilistic links.

They join the one metadata of gongxin.db.models; gongxin.db.schema gathers them.

- ``subject_parties``: the parties and contact points a registration names, one row each:
  the legal representative (by the keyed hash of the ID number), investors, the address, the
  phone and the e-mail, each with its normalised ``key``. Two subjects sharing a (kind, key)
  are related; the related-party graph is built from it.
- ``subject_changes``: the registration's 变更记录 (what changed, when, before and after).
- ``subject_matches``: links of records that carried no usable code to subjects, made by the
  Splink model (or by centre staff): probability, the comparison explanation, and the status
  (linked, review, rejected, undone). ``revision`` grows with every decision, so a review form
  shown before a change is refused.
- ``warnings``: 预警, one per rule and subject: the rule (and rules version), severity, legal
  hook, the explanation and the evidence (related subjects, records, details); the centre's
  queue state (open, assigned, confirmed, dismissed) with a ``revision`` against stale forms.
  Internal to the credit centre: never public.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

subject_parties = sa.Table(
    "subject_parties",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False, index=True),
    sa.Column(
        "kind", sa.String(20), nullable=False, comment="legal_rep|investor|address|phone|email"
    ),
    sa.Column("key", sa.String(500), nullable=False, comment="normalised, for matching"),
    sa.Column("label", sa.String(500), nullable=False, comment="as filed, for display"),
    sa.Column("share", sa.String(20), nullable=True, comment="investors: share in percent"),
    sa.Index("ix_subject_parties_kind_key", "kind", "key"),
)

subject_changes = sa.Table(
    "subject_changes",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False, index=True),
    sa.Column("changed_on", sa.Date, nullable=False),
    sa.Column("item", sa.String(100), nullable=False, comment="变更事项"),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
)

subject_matches = sa.Table(
    "subject_matches",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("record_id", sa.ForeignKey("records.id"), nullable=False, index=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False),
    sa.Column("method", sa.String(20), nullable=False, comment="splink | manual"),
    sa.Column("probability", sa.Float, nullable=True),
    sa.Column("explanation", Json, nullable=False, comment="per comparison: level, weight"),
    sa.Column("status", sa.String(10), nullable=False, comment="linked|review|rejected|undone"),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("model_version", sa.String(40), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("decided_at", Timestamp, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Index("ix_subject_matches_status", "status"),
)

warnings = sa.Table(
    "warnings",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("rules_version", sa.String(40), nullable=False),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=False, index=True),
    sa.Column("severity", sa.String(4), nullable=False, comment="高 | 中 | 低"),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("legal_hook", sa.Text, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("evidence", Json, nullable=False, comment="related subjects, records, details"),
    sa.Column("status", sa.String(10), nullable=False, comment="open|assigned|confirmed|dismissed"),
    sa.Column("assignee", sa.String(200), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("first_seen_at", Timestamp, nullable=False),
    sa.Column("last_seen_at", Timestamp, nullable=False),
    sa.Column("decided_at", Timestamp, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.UniqueConstraint("rule_id", "subject_id"),
    sa.Index("ix_warnings_status", "status"),
)
