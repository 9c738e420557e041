"""credit evaluation runs, results, contributions; risk draws

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "evaluation_runs",
        sa.Column("id", big_id, nullable=False),
        sa.Column("model", sa.String(40), nullable=False, comment="model code"),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False, comment="grade | risk"),
        sa.Column(
            "definition", json, nullable=False, comment="the model as run (its file, parsed)"
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("engine", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, comment="running | complete | error"),
        sa.Column("started_at", stamp, nullable=False),
        sa.Column("finished_at", stamp, nullable=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False, comment="records counted"),
        sa.Column("grades", json, nullable=False, comment="subjects per grade"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_runs")),
    )
    op.create_index(
        "ix_evaluation_runs_model_status", "evaluation_runs", ["model", "status", "as_of"]
    )
    op.create_table(
        "evaluation_results",
        sa.Column("run_id", big_id, nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("score", sa.Numeric(12, 2), nullable=False),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_runs.id"],
            ondelete="CASCADE",
            name=op.f("fk_evaluation_results_run_id_evaluation_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_evaluation_results_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("run_id", "subject_id", name=op.f("pk_evaluation_results")),
    )
    op.create_index("ix_evaluation_results_subject", "evaluation_results", ["subject_id"])
    op.create_table(
        "evaluation_contributions",
        sa.Column("run_id", big_id, nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("indicator", sa.String(40), nullable=False),
        sa.Column("points", sa.Numeric(12, 2), nullable=False, comment="after cap, signed"),
        sa.Column("record_ids", json, nullable=False, comment="the records counted, in id order"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_runs.id"],
            ondelete="CASCADE",
            name=op.f("fk_evaluation_contributions_run_id_evaluation_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_evaluation_contributions_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "subject_id", "indicator", name=op.f("pk_evaluation_contributions")
        ),
    )
    op.create_table(
        "risk_draws",
        sa.Column("id", big_id, nullable=False),
        sa.Column("run_id", big_id, nullable=False),
        sa.Column("task", sa.String(200), nullable=False, comment="the inspection task's name"),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("drawn", json, nullable=False, comment="subject ids drawn, per class"),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_runs.id"],
            ondelete="CASCADE",
            name=op.f("fk_risk_draws_run_id_evaluation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_draws")),
    )


def downgrade() -> None:
    op.drop_table("risk_draws")
    op.drop_table("evaluation_contributions")
    op.drop_index("ix_evaluation_results_subject", table_name="evaluation_results")
    op.drop_table("evaluation_results")
    op.drop_index("ix_evaluation_runs_model_status", table_name="evaluation_runs")
    op.drop_table("evaluation_runs")
