"""the change log keeps each record's data once: inserts and updates get their JSON at read

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

# Migration 0033 stored each change's JSON (``change_log.body``) beside its data (``payload``),
# which the JSON embeds whole: every record's data was written to the change log twice, and the
# log was half of what an intake wrote. An insert's or an update's JSON is the row's columns
# joined as text, so the feed now makes it in its read (gongxin.exchange.change_sql); only an
# ``expire`` keeps a stored body (its reason and day are the expiry job's). The triggers go back
# to those of 0023 (data and decision, no body), and the bodies already stored for inserts and
# updates are cleared: the feed sends the same bytes (tests/exchange/test_feed_bodies.py).


def _load(name: str, file: str) -> ModuleType:
    found = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _bodies() -> ModuleType:
    """Migration 0033, whose triggers these replace (and which a downgrade restores)."""
    return _load("gongxin_migration_0033", "0033_change_bodies.py")


def _triggers(module: ModuleType) -> None:
    """Install ``module``'s triggers (0023's or 0033's, each with 0012's ``ends_on``)."""
    ends = _load("gongxin_migration_0012", "0012_visibility_decisions.py")
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for statement in module._postgres_functions(ends.PG_ENDS):
            conn.exec_driver_sql(statement)  # ``:null`` and ``HH24:MI`` are no bind parameters
        return
    op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
    op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
    for statement in module._sqlite_triggers(ends.SQLITE_ENDS):
        conn.exec_driver_sql(statement)


def upgrade() -> None:
    _triggers(_bodies()._before())  # 0023's: the change's data and decision, no body
    op.execute("UPDATE change_log SET body = NULL WHERE op IN ('insert', 'update')")


def downgrade() -> None:
    bodies = _bodies()
    _triggers(bodies)
    bodies.back_fill(op.get_bind())
