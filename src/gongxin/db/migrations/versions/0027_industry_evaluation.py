"""industry credit evaluation (行业信用评价): evaluators, rounds, entries, annual reviews

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rating_evaluators",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "department_id",
            sa.Integer,
            sa.ForeignKey("departments.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("code", sa.String(3), nullable=False, unique=True, comment="协会代码 (3 digits)"),
        sa.Column("kind", sa.String(20), nullable=False, comment="association | agency"),
        sa.Column("filing_no", sa.String(64), nullable=True, comment="备案编号"),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "rating_rounds",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "evaluator_id", sa.Integer, sa.ForeignKey("rating_evaluators.id"), nullable=False
        ),
        sa.Column("year", sa.Integer, nullable=False, comment="评价年度 (certificate number YYYY)"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False, comment="open | publicity | published"),
        sa.Column("publicity_days", sa.Integer, nullable=False),
        sa.Column(
            "publicity_day_kind", sa.String(10), nullable=False, comment="calendar | working"
        ),
        sa.Column("publicity_from", sa.Date, nullable=True, comment="公示 first day"),
        sa.Column("publicity_until", sa.Date, nullable=True, comment="公示 last day"),
        sa.Column("published_on", sa.Date, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index(op.f("ix_rating_rounds_evaluator_id"), "rating_rounds", ["evaluator_id"])
    op.create_table(
        "rating_entries",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("round_id", BigId, sa.ForeignKey("rating_rounds.id"), nullable=False),
        sa.Column("subject_id", BigId, sa.ForeignKey("subjects.id"), nullable=True),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("materials", Json, nullable=False, comment="申报材料: list of {name, note}"),
        sa.Column("state", sa.String(20), nullable=False, comment="see market/evaluation_round.py"),
        sa.Column("grade", sa.String(5), nullable=True, comment="e.g. AA, A+, AAA★"),
        sa.Column("grade_code", sa.String(3), nullable=True, comment="等级代码 of the base grade"),
        sa.Column("score", sa.Numeric(6, 2), nullable=True),
        sa.Column("note", sa.Text, nullable=True, comment="初审 reason, objection outcome …"),
        sa.Column(
            "record_id",
            BigId,
            sa.ForeignKey("records.id"),
            nullable=True,
            comment="the 公示 record",
        ),
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
    op.create_index(op.f("ix_rating_entries_round_id"), "rating_entries", ["round_id"])
    op.create_index(op.f("ix_rating_entries_subject_id"), "rating_entries", ["subject_id"])
    op.create_index(op.f("ix_rating_entries_uscc"), "rating_entries", ["uscc"])
    op.create_table(
        "rating_reviews",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("entry_id", BigId, sa.ForeignKey("rating_entries.id"), nullable=False),
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
    op.create_index(op.f("ix_rating_reviews_entry_id"), "rating_reviews", ["entry_id"])


def downgrade() -> None:
    op.drop_table("rating_reviews")
    op.drop_table("rating_entries")
    op.drop_table("rating_rounds")
    op.drop_table("rating_evaluators")
