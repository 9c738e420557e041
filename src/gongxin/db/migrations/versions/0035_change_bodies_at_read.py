"""the change log keeps each version's data once: inside its stored JSON when it has one

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

# Migration 0033 stored each change's JSON as the feed sends it (``change_log.body``) beside the
# version's data (``payload``), which that JSON embeds whole: every record's data went into the
# change log twice, and the log was half of what an intake wrote. An insert or an update with a
# body now leaves ``payload`` null; readers cut the data out of the body as text
# (gongxin.db.change_data). A version carrying a workflow's status has no body and keeps its
# payload; an ``expire`` keeps both. The feed sends the same bytes (tests/exchange/
# test_feed_bodies.py).
STATUS = "_gx_status"
DATA_KEY = '"data":'
TAIL = ',"reason":null,"ends_on":null,"mark":null}'


def _load(name: str, file: str) -> ModuleType:
    found = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _bodies() -> ModuleType:
    """Migration 0033, whose triggers these replace (and which a downgrade restores)."""
    return _load("gongxin_migration_0033", "0033_change_bodies.py")


def _ends() -> ModuleType:
    """Migration 0012: the ``ends_on`` expressions every change-log trigger since uses."""
    return _load("gongxin_migration_0012", "0012_visibility_decisions.py")


def cut(postgres: bool) -> str:
    """The data an insert's or an update's body embeds (as gongxin.db.change_data)."""
    at = f"{'strpos' if postgres else 'instr'}(body, '{DATA_KEY}')"
    size = f"length(body) - {at} - {len(DATA_KEY) - 1} - {len(TAIL)}"
    return f"substr(body, {at} + {len(DATA_KEY)}, {size})"


# the version's data kept as ``payload`` only when it carries a workflow's status (no body then)
SQLITE_PAYLOAD = f"CASE WHEN instr(NEW.data, '{STATUS}') > 0 THEN NEW.data END"
PG_PAYLOAD = f"CASE WHEN strpos(t.text, '{STATUS}') > 0 THEN t.text END"


def _install(statements: list[str]) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
    for statement in statements:
        conn.exec_driver_sql(statement)  # ``:null`` and ``HH24:MI`` are no bind parameters


def upgrade() -> None:
    bodies, ends = _bodies(), _ends()
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _install(bodies._postgres_functions(ends.PG_ENDS, PG_PAYLOAD))
    else:
        _install(bodies._sqlite_triggers(ends.SQLITE_ENDS, SQLITE_PAYLOAD))
    # the payload goes only where the body gives back exactly the same text
    op.execute(
        "UPDATE change_log SET payload = NULL WHERE op IN ('insert', 'update') "
        f"AND body IS NOT NULL AND payload = {cut(postgres)}"
    )


def downgrade() -> None:
    bodies, ends = _bodies(), _ends()
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        f"UPDATE change_log SET payload = {cut(postgres)} "
        "WHERE op IN ('insert', 'update') AND payload IS NULL AND body IS NOT NULL"
    )
    if postgres:
        _install(bodies._postgres_functions(ends.PG_ENDS))
    else:
        _install(bodies._sqlite_triggers(ends.SQLITE_ENDS))
