"""record owners: every record belongs to the department that submitted it; dedupe keys are
unique per owner; the authority names a department may file for

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_UNIQUE = "uq_records_dataset_dedupe_key"
NEW_UNIQUE = "uq_records_dataset_dedupe_key_department_id"
OWNER_FK = "fk_records_department_id_departments"
# The owner of an existing record: the department of the submission that stored its version.
OWNER_OF = "(SELECT s.department_id FROM submissions s WHERE s.id = records.submission_id)"

# The change-log triggers of migration 0007, recreated after SQLite rebuilds ``records``.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version)
        VALUES (NEW.id, NEW.dataset, 'insert', NEW.updated_at, NEW.version);
    END
    """,
    """
    CREATE TRIGGER trg_records_change_update AFTER UPDATE OF version ON records
    WHEN NEW.version <> OLD.version
    BEGIN
        INSERT INTO change_log (record_id, dataset, op, at, version)
        VALUES (NEW.id, NEW.dataset, 'update', NEW.updated_at, NEW.version);
    END
    """,
]
_RECORD_COLUMNS = (
    "id, dataset, dedupe_key, content_hash, version, subject_id, link_kind, link_code, "
    "subject_name, event_date, submission_id, row_no, data, created_at, updated_at"
)
_HISTORY_COLUMNS = (
    "id, record_id, version, content_hash, submission_id, row_no, data, replaced_at, replaced_by"
)


def _big_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _records_table(name: str) -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        name,
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject_id", _big_id(), nullable=True),
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
        sa.Column("data", _json(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False, comment="owner: 提交部门"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_records_subject_id_subjects"
        ),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=OWNER_FK),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("dataset", "dedupe_key", "department_id", name=NEW_UNIQUE),
    )


def _record_indexes() -> None:
    op.create_index("ix_records_subject_id", "records", ["subject_id"], unique=False)
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


def _sqlite_rebuild() -> None:
    """SQLite cannot change a table's constraints in place: copy ``records`` into its new shape.

    ``record_history`` (the one table referring to ``records``) is parked in a plain table
    first, so that dropping the old ``records`` breaks no foreign key even with them enforced.
    """
    _records_table("records_new")
    op.execute(
        f"INSERT INTO records_new ({_RECORD_COLUMNS}, department_id) "
        f"SELECT {_RECORD_COLUMNS}, {OWNER_OF} FROM records"
    )
    op.execute(
        f"CREATE TABLE record_history_parked AS SELECT {_HISTORY_COLUMNS} FROM record_history"
    )
    op.drop_table("record_history")
    op.drop_table("records")  # its indexes and triggers go with it
    op.rename_table("records_new", "records")
    _record_indexes()
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.create_table(
        "record_history",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("record_id", _big_id(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=32), nullable=False, comment="submission id"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_history_record_id_records"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_record_history"),
    )
    op.create_index("ix_record_history_record_id", "record_history", ["record_id"], unique=False)
    op.execute(
        f"INSERT INTO record_history ({_HISTORY_COLUMNS}) "
        f"SELECT {_HISTORY_COLUMNS} FROM record_history_parked"
    )
    op.drop_table("record_history_parked")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild()
    else:
        op.add_column(
            "records",
            sa.Column("department_id", sa.Integer(), nullable=True, comment="owner: 提交部门"),
        )
        op.execute(f"UPDATE records SET department_id = {OWNER_OF}")
        op.alter_column("records", "department_id", nullable=False)
        op.create_foreign_key(OWNER_FK, "records", "departments", ["department_id"], ["id"])
        op.drop_constraint(OLD_UNIQUE, "records", type_="unique")
        op.create_unique_constraint(
            NEW_UNIQUE, "records", ["dataset", "dedupe_key", "department_id"]
        )
    op.create_table(
        "department_authorities",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("authority", sa.String(200), nullable=False, comment="机关名称"),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False, comment="actor"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_department_authorities_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("department_id", "authority", name="pk_department_authorities"),
    )


def downgrade() -> None:
    op.drop_table("department_authorities")
    if op.get_bind().dialect.name == "sqlite":
        raise NotImplementedError("0009 cannot be undone on SQLite: restore a backup")
    op.drop_constraint(NEW_UNIQUE, "records", type_="unique")
    op.create_unique_constraint(OLD_UNIQUE, "records", ["dataset", "dedupe_key"])
    op.drop_constraint(OWNER_FK, "records", type_="foreignkey")
    op.drop_column("records", "department_id")
