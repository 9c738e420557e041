"""subject name search: SQLite FTS5 trigram index, PostgreSQL pg_trgm

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # name_norm now spells the legal form one way (有限责任公司 → 有限公司)
    op.execute("UPDATE subjects SET name_norm = replace(name_norm, '有限责任公司', '有限公司')")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE subjects_fts USING fts5("
            "name_norm, content='subjects', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER subjects_fts_insert AFTER INSERT ON subjects BEGIN "
            "INSERT INTO subjects_fts(rowid, name_norm) VALUES (new.id, new.name_norm); END"
        )
        op.execute(
            "CREATE TRIGGER subjects_fts_delete AFTER DELETE ON subjects BEGIN "
            "INSERT INTO subjects_fts(subjects_fts, rowid, name_norm) "
            "VALUES ('delete', old.id, old.name_norm); END"
        )
        op.execute(
            "CREATE TRIGGER subjects_fts_update AFTER UPDATE OF name_norm ON subjects BEGIN "
            "INSERT INTO subjects_fts(subjects_fts, rowid, name_norm) "
            "VALUES ('delete', old.id, old.name_norm); "
            "INSERT INTO subjects_fts(rowid, name_norm) VALUES (new.id, new.name_norm); END"
        )
        op.execute("INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_subjects_name_trgm ON subjects USING gin (name_norm gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS subjects_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS subjects_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_subjects_name_trgm")
