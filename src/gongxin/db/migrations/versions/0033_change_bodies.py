"""each change of the change feed stores its JSON as the feed serves it

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-02
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0031"
branch_labels = None
depends_on = None

# ``change_log.body``: the change as the feed's JSON gives it to a department that may read the
# whole record, without its leading ``{"seq":N,`` (the seq is not known inside the INSERT that
# makes it; the feed's read puts it in front in SQL, gongxin.exchange.changefeed), e.g.
#   "op":"insert","record_id":7,"version":1,"at":"2026-11-22T02:00:00+00:00","data":{…},
#   "reason":null,"ends_on":null,"mark":null}
# with the version's data as stored (the text of ``payload``, embedded as it is). Null when
# the change is never sent as stored: a version carrying a workflow status (异议处理中 …: its
# mark is shown and the internal keys dropped, by the gate), a ``repair``, an ``expire``
# without its reason. Whether departments may read the version is not in it: the read sends
# the body only when the change's ``shared`` (kept in line by the recompute) says so. The
# triggers write it with the change; ``expire`` rows get theirs from
# gongxin.records.feed_bodies, which composes the same text (tests/exchange/test_feed_bodies.py).
STATUS = "_gx_status"
# the instant as Python's ``datetime.isoformat`` writes it in UTC (SQLite stores naive UTC
# text ``YYYY-MM-DD HH:MM:SS[.ffffff]``; the feed has always sent it with ``T`` and an offset)
SQLITE_AT = "replace({at}, ' ', 'T') || '+00:00'"
PG_AT = (
    "to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "mod(extract(microseconds FROM {at})::bigint, 1000000) = 0 THEN '' "
    "ELSE to_char({at} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


def body(postgres: bool, op_: str, rid: str, version: str, at: str, data: str) -> str:
    """The SQL of a body for an insert or update (``op_`` an SQL expression giving its name)."""
    when = f"strpos({data}, '{STATUS}') = 0" if postgres else f"instr({data}, '{STATUS}') = 0"
    stamp = (PG_AT if postgres else SQLITE_AT).format(at=at)
    return (
        f"""CASE WHEN {when} THEN '"op":"' || {op_} || '","record_id":' || {rid} """
        f"""|| ',"version":' || {version} || ',"at":"' || {stamp} || '","data":' || {data} """
        """|| ',"reason":null,"ends_on":null,"mark":null}' END"""
    )


def _expire_body(postgres: bool) -> str:
    """The SQL of an ``expire`` row's body (back-fill): its day and the gate's reason."""
    quoted = "to_json(reason)::text" if postgres else "json_quote(reason)"
    day = "to_char(ends_on, 'YYYY-MM-DD')" if postgres else "ends_on"
    stamp = (PG_AT if postgres else SQLITE_AT).format(at="at")
    when = "strpos(payload, '_gx_status') = 0" if postgres else "instr(payload, '_gx_status') = 0"
    return (
        f"""CASE WHEN {when} THEN '"op":"expire","record_id":' || record_id """
        f"""|| ',"version":' || version || ',"at":"' || {stamp} || '","data":' || payload """
        f"""|| ',"reason":' || {quoted} || ',"ends_on":"' || {day} || '","mark":null}}' END"""
    )


def _before() -> ModuleType:
    """Migration 0023, whose triggers these replace (and which a downgrade restores)."""
    found = importlib.util.spec_from_file_location(
        "gongxin_migration_0023", Path(__file__).with_name("0023_change_payloads.py")
    )
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


COLUMNS = "record_id, dataset, op, at, version, ends_on, payload, shared, body"


def _sqlite_triggers(ends: str, payload: str = "NEW.data") -> list[str]:
    """The triggers; ``payload`` the SQL of the change's ``payload`` (migration 0035 passes
    its own: null when the body holds the data)."""

    def values(name: str) -> str:
        made = body(False, f"'{name}'", "NEW.id", "NEW.version", "NEW.updated_at", "NEW.data")
        return (
            f"NEW.id, NEW.dataset, '{name}', NEW.updated_at, NEW.version, {ends}, {payload}, "
            f"NEW.is_shared, {made}"
        )

    return [
        f"""
        CREATE TRIGGER trg_records_change_insert AFTER INSERT ON records
        BEGIN
            INSERT INTO change_log ({COLUMNS}) VALUES ({values("insert")});
        END
        """,
        f"""
        CREATE TRIGGER trg_records_change_update AFTER UPDATE OF version ON records
        WHEN NEW.version <> OLD.version
        BEGIN
            INSERT INTO change_log ({COLUMNS}) VALUES ({values("update")});
        END
        """,
    ]


def _postgres_functions(ends: str, payload: str = "t.text") -> list[str]:
    """The trigger functions; ``payload`` as for :func:`_sqlite_triggers` (the version's data
    as text is ``t.text``)."""
    columns = "record_id, dataset, op, at, version, txid, ends_on, payload, shared, body"

    def select(name: str) -> str:
        made = body(True, f"'{name}'", "n.id", "n.version", "n.updated_at", "t.text")
        return (
            f"n.id, n.dataset, '{name}', n.updated_at, n.version, txid_current(), {ends}, "
            f"{payload}, n.is_shared, {made}"
        )

    text = "CROSS JOIN LATERAL (SELECT n.data::text AS text) t"
    return [
        f"""
        CREATE OR REPLACE FUNCTION gongxin_records_inserted() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_log ({columns})
            SELECT {select("insert")} FROM new_rows n {text} ORDER BY n.id;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION gongxin_records_updated() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_log ({columns})
            SELECT {select("update")} FROM new_rows n JOIN old_rows o ON o.id = n.id {text}
            WHERE n.version <> o.version ORDER BY n.id;
            RETURN NULL;
        END $$
        """,
    ]


def back_fill(conn: Any) -> None:
    """The changes already logged get their body: inserts and updates (not relabelled
    ``repair``) and the expiries that carry their reason."""
    postgres = conn.dialect.name == "postgresql"
    changed = body(postgres, "op", "record_id", "version", "at", "payload")
    # the driver's own SQL: the JSON's ``:null`` is no bind parameter
    conn.exec_driver_sql(
        f"UPDATE change_log SET body = {changed} "
        "WHERE op IN ('insert', 'update') AND payload IS NOT NULL"
    )
    conn.exec_driver_sql(
        f"UPDATE change_log SET body = {_expire_body(postgres)} WHERE op = 'expire' "
        "AND payload IS NOT NULL AND reason IS NOT NULL AND ends_on IS NOT NULL"
    )


def upgrade() -> None:
    op.add_column(
        "change_log",
        sa.Column(
            "body",
            sa.Text,
            nullable=True,
            comment="the change's JSON as the feed serves it, without its seq (0033)",
        ),
    )
    ends = _before()._before()  # migration 0012's ends_on expressions, as 0023 uses them
    conn = op.get_bind()
    back_fill(conn)
    if conn.dialect.name == "postgresql":
        for statement in _postgres_functions(ends.PG_ENDS):
            conn.exec_driver_sql(statement)  # ``:null`` and ``HH24:MI`` are no bind parameters
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in _sqlite_triggers(ends.SQLITE_ENDS):
            conn.exec_driver_sql(statement)


def downgrade() -> None:
    before = _before()
    ends = before._before()
    if op.get_bind().dialect.name == "postgresql":
        for statement in before._postgres_functions(ends.PG_ENDS):
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_records_change_update")
        for statement in before._sqlite_triggers(ends.SQLITE_ENDS):
            op.execute(statement)
    op.drop_column("change_log", "body")
