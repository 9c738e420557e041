"""joint reward and punishment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "memoranda",
        sa.Column("id", sa.String(64), nullable=False, comment="the memorandum's own id"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False, comment="punish | reward | both"),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("data", json, nullable=False, comment="the validated memorandum with measures"),
        sa.Column("source", sa.String(500), nullable=False, comment="file it was loaded from"),
        sa.Column("loaded_at", stamp, nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
        sa.Column("superseded_at", stamp, nullable=True, comment="NULL: the current version"),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_memoranda")),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.String(32), nullable=False, comment="e.g. HC20261122-7F3A9C2E1B"),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False, comment="key:<prefix> | user:<n> | cli"),
        sa.Column("requester", sa.String(200), nullable=False, comment="person or system asking"),
        sa.Column("purpose", sa.Text(), nullable=False, comment="用途, as the caller stated it"),
        sa.Column("scene", sa.String(64), nullable=False, comment="scene code"),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False, comment="subjects asked about"),
        sa.Column("hits", sa.Integer(), nullable=False, comment="subjects with at least one entry"),
        sa.Column(
            "errors", sa.Integer(), nullable=False, comment="items that could not be checked"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_checks_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index(op.f("ix_checks_created_at"), "checks", ["created_at"])
    op.create_index(op.f("ix_checks_department_id"), "checks", ["department_id"])
    op.create_index(op.f("ix_checks_scene"), "checks", ["scene"])
    op.create_table(
        "check_results",
        sa.Column("check_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="0-based, the caller's order"),
        sa.Column("query", sa.String(500), nullable=False, comment="the code or name as given"),
        sa.Column("subject_id", big_id, nullable=True),
        sa.Column("subject_code", sa.String(32), nullable=True),
        sa.Column("subject_name", sa.String(500), nullable=True),
        sa.Column(
            "match", sa.String(20), nullable=False, comment="code|name_exact|name_normalised|none"
        ),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("hits", json, nullable=True, comment="list entries that applied; NULL: none"),
        sa.Column("measures", json, nullable=True, comment="measures and rewards, with ids"),
        sa.Column("error", json, nullable=True, comment="why the item could not be checked"),
        sa.ForeignKeyConstraint(
            ["check_id"], ["checks.id"], name=op.f("fk_check_results_check_id_checks")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_check_results_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("check_id", "position", name=op.f("pk_check_results")),
    )
    op.create_index(op.f("ix_check_results_subject_id"), "check_results", ["subject_id"])


def downgrade() -> None:
    op.drop_table("check_results")
    op.drop_table("checks")
    op.drop_table("memoranda")
