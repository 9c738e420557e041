"""registration details on subjects; subject parties, changes, probabilistic matches, warnings

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("reg_status", sa.String(10), nullable=True, comment="登记状态"))
        batch.add_column(
            sa.Column("reg_authority", sa.String(200), nullable=True, comment="登记机关")
        )
        batch.add_column(sa.Column("term_end", sa.Date(), nullable=True, comment="营业期限至"))
        batch.add_column(
            sa.Column("industry_code", sa.String(5), nullable=True, comment="GB/T 4754")
        )
        batch.add_column(sa.Column("region_code", sa.String(6), nullable=True, comment="GB/T 2260"))
        batch.add_column(
            sa.Column("legal_rep_key", sa.String(40), nullable=True, comment="法定代表人证件 HMAC")
        )
        batch.add_column(sa.Column("phone", sa.String(40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))
        batch.create_index("ix_subjects_legal_rep_key", ["legal_rep_key"])
    op.create_table(
        "subject_parties",
        sa.Column("id", big_id, nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column(
            "kind", sa.String(20), nullable=False, comment="legal_rep|investor|address|phone|email"
        ),
        sa.Column("key", sa.String(500), nullable=False, comment="normalised, for matching"),
        sa.Column("label", sa.String(500), nullable=False, comment="as filed, for display"),
        sa.Column("share", sa.String(20), nullable=True, comment="investors: share in percent"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_parties_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_parties")),
    )
    op.create_index("ix_subject_parties_subject_id", "subject_parties", ["subject_id"])
    op.create_index("ix_subject_parties_kind_key", "subject_parties", ["kind", "key"])
    op.create_table(
        "subject_changes",
        sa.Column("id", big_id, nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("item", sa.String(100), nullable=False, comment="变更事项"),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_changes_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_changes")),
    )
    op.create_index("ix_subject_changes_subject_id", "subject_changes", ["subject_id"])
    op.create_table(
        "subject_matches",
        sa.Column("id", big_id, nullable=False),
        sa.Column("record_id", big_id, nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("method", sa.String(20), nullable=False, comment="splink | manual"),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("explanation", json, nullable=False, comment="per comparison: level, weight"),
        sa.Column("status", sa.String(10), nullable=False, comment="linked|review|rejected|undone"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("decided_at", stamp, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_subject_matches_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_matches_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_matches")),
    )
    op.create_index("ix_subject_matches_record_id", "subject_matches", ["record_id"])
    op.create_index("ix_subject_matches_status", "subject_matches", ["status"])
    op.create_table(
        "warnings",
        sa.Column("id", big_id, nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rules_version", sa.String(40), nullable=False),
        sa.Column("subject_id", big_id, nullable=False),
        sa.Column("severity", sa.String(4), nullable=False, comment="高 | 中 | 低"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("legal_hook", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", json, nullable=False, comment="related subjects, records, details"),
        sa.Column(
            "status", sa.String(10), nullable=False, comment="open|assigned|confirmed|dismissed"
        ),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", stamp, nullable=False),
        sa.Column("last_seen_at", stamp, nullable=False),
        sa.Column("decided_at", stamp, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_warnings_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
        sa.UniqueConstraint("rule_id", "subject_id", name=op.f("uq_warnings_rule_id_subject_id")),
    )
    op.create_index("ix_warnings_subject_id", "warnings", ["subject_id"])
    op.create_index("ix_warnings_status", "warnings", ["status"])


def downgrade() -> None:
    op.drop_table("warnings")
    op.drop_table("subject_matches")
    op.drop_table("subject_changes")
    op.drop_table("subject_parties")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_index("ix_subjects_legal_rep_key")
        for name in (
            "email",
            "phone",
            "legal_rep_key",
            "region_code",
            "industry_code",
            "term_end",
            "reg_authority",
            "reg_status",
        ):
            batch.drop_column(name)
