"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:45:01.548755
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=True, comment="统一社会信用代码"),
        sa.Column("kind", sa.String(length=20), nullable=False, comment="provider | user | centre"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "subjects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True, comment="统一社会信用代码"),
        sa.Column("reg_no", sa.String(length=15), nullable=True, comment="工商注册号"),
        sa.Column("org_code", sa.String(length=9), nullable=True, comment="组织机构代码"),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_norm", sa.String(length=500), nullable=False),
        sa.Column("entity_type", sa.String(length=100), nullable=True, comment="企业类型"),
        sa.Column("legal_rep", sa.String(length=200), nullable=True, comment="法定代表人"),
        sa.Column("capital", sa.Numeric(precision=24, scale=6), nullable=True),
        sa.Column("capital_unit", sa.String(length=40), nullable=True),
        sa.Column("reg_date", sa.Date(), nullable=True),
        sa.Column("province", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("business_scope", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint("uscc", name=op.f("uq_subjects_uscc")),
    )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subjects_name_norm"), ["name_norm"], unique=False)
        batch_op.create_index(batch_op.f("ix_subjects_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_subjects_reg_no"), ["reg_no"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False, comment="shown, for lookup"),
        sa.Column(
            "key_hash", sa.String(length=64), nullable=False, comment="SHA-256 of the whole key"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_api_keys_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "link_kind",
            sa.String(length=20),
            nullable=True,
            comment="uscc | reg_no | org_code | person",
        ),
        sa.Column("link_code", sa.String(length=32), nullable=True),
        sa.Column("subject_name", sa.String(length=500), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_records_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("dataset", "dedupe_key", name=op.f("uq_records_dataset_dedupe_key")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_subject_id"), ["subject_id"], unique=False)
    op.create_index(
        "ix_records_waiting",
        "records",
        [
            sa.text(
                "(CASE WHEN (link_kind = 'uscc') THEN substr(link_code, 9, 9) ELSE link_code END)"
            )
        ],
        unique=False,
        sqlite_where=sa.text("subject_id IS NULL"),
        postgresql_where=sa.text("subject_id IS NULL"),
    )
    op.create_table(
        "record_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_links")),
    )
    op.create_index("ix_record_links_code", "record_links", ["kind", "code"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=40), nullable=True),
        sa.Column("layout", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, comment="complete"),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("unlinked", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="the file's header row, in order",
        ),
        sa.Column(
            "unknown_columns",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_submissions_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "dataset",
            "department_id",
            "file_sha256",
            name=op.f("uq_submissions_dataset_department_id_file_sha256"),
        ),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_dataset"), ["dataset"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_submissions_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "record_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=32), nullable=False, comment="submission id"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_history_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_history")),
    )
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_history_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "row_warnings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="problems of an accepted row",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_row_warnings_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_row_warnings")),
    )
    op.create_index(
        op.f("ix_row_warnings_submission_id"), "row_warnings", ["submission_id"], unique=False
    )
    op.create_table(
        "rejects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="the row as read: [header, text] pairs",
        ),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_rejects_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejects")),
    )
    with op.batch_alter_table("rejects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejects_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_row_warnings_submission_id"), table_name="row_warnings")
    op.drop_table("row_warnings")

    with op.batch_alter_table("rejects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejects_submission_id"))

    op.drop_table("rejects")
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_history_record_id"))

    op.drop_table("record_history")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_department_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_dataset"))

    op.drop_table("submissions")
    op.drop_index("ix_record_links_code", table_name="record_links")
    op.drop_table("record_links")
    op.drop_index("ix_records_waiting", table_name="records")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_subject_id"))

    op.drop_table("records")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_department_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjects_reg_no"))
        batch_op.drop_index(batch_op.f("ix_subjects_org_code"))
        batch_op.drop_index(batch_op.f("ix_subjects_name_norm"))

    op.drop_table("subjects")
    op.drop_table("departments")
