"""each change of the change feed stores its version's data and sharing decision

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The change log's triggers (migrations 0007, 0012) now also copy the version's data, as JSON
# text, and its stored sharing decision (``is_shared``, gongxin.records.decisions) into the
# change: the feed reads the change log alone, with no join to ``records`` or
# ``record_history`` (gongxin.exchange.changefeed). ``ends_on`` is as in 0012.
COLUMNS = "record_id, dataset, op, at, version, ends_on, payload, shared"


def _before() -> ModuleType:
    """Migration 0012, whose triggers these replace (and which a downgrade restores)."""
    found = importlib.util.spec_from_file_location(
        "gongxin_migration_0012", Path(__file__).with_name("0012_visibility_decisions.py")
    )
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _sqlite_triggers(ends: str) -> list[str]:
    values = f"NEW.id, NEW.dataset, '{{op}}', NEW.updated_at, NEW.version, {ends}, NEW.data, "
    values += "NEW.is_shared"
    return [
        f"""
        CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
        BEGIN
            INSERT INTO change_log ({COLUMNS}) VALUES ({values.format(op="insert")});
        END
        """,
        f"""
        CREATE TRIGGER trg_records_change_update AFTER UPDATE OF version ON records
        WHEN NEW.version <> OLD.version
        BEGIN
            INSERT INTO change_log ({COLUMNS}) VALUES ({values.format(op="update")});
        END
        """,
    ]


def _postgres_functions(ends: str) -> list[str]:
    select = f"n.id, n.dataset, '{{op}}', n.updated_at, n.version, txid_current(), {ends}, "
    select += "n.data::text, n.is_shared"
    columns = "record_id, dataset, op, at, version, txid, ends_on, payload, shared"
    return [
        f"""
        CREATE OR REPLACE FUNCTION gongxin_records_inserted() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_log ({columns})
            SELECT {select.format(op="insert")} FROM new_rows n ORDER BY n.id;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION gongxin_records_updated() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_log ({columns})
            SELECT {select.format(op="update")} FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.version <> o.version ORDER BY n.id;
            RETURN NULL;
        END $$
        """,
    ]


def upgrade() -> None:
    op.add_column(
        "change_log",
        sa.Column(
            "payload",
            sa.Text,
            nullable=True,
            comment="the version's data as JSON text, copied when the change is written (0023)",
        ),
    )
    op.add_column(
        "change_log",
        sa.Column(
            "shared",
            sa.Boolean,
            nullable=True,
            comment="departments may read the version (its stored decision); null: unknown",
        ),
    )
    before = _before()
    postgres = op.get_bind().dialect.name == "postgresql"
    _back_fill(postgres)
    if postgres:
        for statement in _postgres_functions(before.PG_ENDS):
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in _sqlite_triggers(before.SQLITE_ENDS):
            op.execute(statement)


def _back_fill(postgres: bool) -> None:
    """The changes already logged: the current version's data and decision from ``records``,
    a superseded version's data from ``record_history`` and its decision from the gate (the
    same function the recompute uses)."""
    data = "CAST(r.data AS TEXT)" if postgres else "r.data"
    op.execute(
        f"UPDATE change_log SET payload = {data}, shared = r.is_shared FROM records r "
        "WHERE r.id = change_log.record_id AND r.version = change_log.version"
    )
    old = "CAST(h.data AS TEXT)" if postgres else "h.data"
    op.execute(
        f"UPDATE change_log SET payload = {old} FROM record_history h "
        "WHERE change_log.payload IS NULL AND h.record_id = change_log.record_id "
        "AND h.version = change_log.version"
    )
    from gongxin.catalog.registry import load_catalog
    from gongxin.records import feed_marks, regimes
    from gongxin.settings import get_settings

    settings = get_settings()
    regimes.configure(settings.regimes_dir)
    feed_marks.judge_shared(op.get_bind(), load_catalog(settings.catalog_dir))


def downgrade() -> None:
    before = _before()
    if op.get_bind().dialect.name == "postgresql":
        for statement in before.POSTGRES_FUNCTIONS:
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in before.SQLITE_TRIGGERS:
            op.execute(statement)
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as in 0012
    op.drop_column("change_log", "shared")
    op.drop_column("change_log", "payload")
