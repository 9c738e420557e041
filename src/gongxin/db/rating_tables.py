"""Tables of industry credit evaluation (行业信用评价, docs/industry-evaluation.md): the
evaluating organisations, their evaluation rounds, each company's application in a round (its
materials, grade, 公示 record, certificate, revocation) and the certificate's annual reviews.

Named ``rating_*`` to keep them apart from the platform's own public credit evaluation
(``evaluation_*``). Migration 0027.
"""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.models import BigId, Json, Timestamp, metadata

rating_evaluators = sa.Table(
    "rating_evaluators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), nullable=False, unique=True),
    sa.Column("code", sa.String(3), nullable=False, unique=True, comment="协会代码 (3 digits)"),
    sa.Column("kind", sa.String(20), nullable=False, comment="association | agency"),
    sa.Column("filing_no", sa.String(64), nullable=True, comment="备案编号"),
    sa.Column("created_at", Timestamp, nullable=False),
)

rating_rounds = sa.Table(
    "rating_rounds",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("evaluator_id", sa.ForeignKey("rating_evaluators.id"), nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False, comment="评价年度 (certificate number YYYY)"),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False, comment="open | publicity | published"),
    sa.Column("publicity_days", sa.Integer, nullable=False),
    sa.Column("publicity_day_kind", sa.String(10), nullable=False, comment="calendar | working"),
    sa.Column("publicity_from", sa.Date, nullable=True, comment="公示 first day"),
    sa.Column("publicity_until", sa.Date, nullable=True, comment="公示 last day"),
    sa.Column("published_on", sa.Date, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

rating_entries = sa.Table(
    "rating_entries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("round_id", sa.ForeignKey("rating_rounds.id"), nullable=False, index=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id"), nullable=True, index=True),
    sa.Column("company", sa.String(200), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("materials", Json, nullable=False, comment="申报材料: list of {name, note}"),
    sa.Column("state", sa.String(20), nullable=False, comment="see market/evaluation_round.py"),
    sa.Column("grade", sa.String(5), nullable=True, comment="e.g. AA, A+, AAA★"),
    sa.Column("grade_code", sa.String(3), nullable=True, comment="等级代码 of the base grade"),
    sa.Column("score", sa.Numeric(6, 2), nullable=True),
    sa.Column("note", sa.Text, nullable=True, comment="初审 reason, objection outcome …"),
    sa.Column("record_id", sa.ForeignKey("records.id"), nullable=True, comment="the 公示 record"),
    sa.Column("serial", sa.Integer, nullable=True, comment="企业序号 (5 digits)"),
    sa.Column("certificate_no", sa.String(15), nullable=True, unique=True),
    sa.Column("issued_on", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True, comment="last day of validity"),
    sa.Column("revoked_on", sa.Date, nullable=True),
    sa.Column("revoked_reason", sa.Text, nullable=True),
    sa.Column("flagged", sa.Boolean, nullable=False, comment="revocation not yet seen"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("round_id", "uscc", name="uq_rating_entries_round_uscc"),
)

rating_reviews = sa.Table(
    "rating_reviews",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("entry_id", sa.ForeignKey("rating_entries.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False, comment="1st, 2nd annual review"),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("papers_due_on", sa.Date, nullable=False),
    sa.Column("reviewed_on", sa.Date, nullable=True),
    sa.Column("outcome", sa.String(20), nullable=True, comment="pass | downgrade | cancel"),
    sa.Column("grade", sa.String(5), nullable=True, comment="grade after the review"),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("actor", sa.String(200), nullable=True),
    sa.UniqueConstraint("entry_id", "number", name="uq_rating_reviews_entry_number"),
)
