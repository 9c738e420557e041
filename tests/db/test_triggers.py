"""Bulk appends run SQLite's insert triggers once for all rows (db.triggers): the change log
and the subjects' full-text index get exactly what the row triggers would have written, and
the triggers are back afterwards, whatever happened."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from gongxin.db import dialect, migrate, triggers
from gongxin.db.engine import make_engine
from gongxin.db.exchange_tables import change_log
from gongxin.db.models import records, subjects
from gongxin.identity import departments

NOW = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
RECORD_COLUMNS = (
    "dataset", "dedupe_key", "content_hash", "version", "submission_id", "row_no", "data",
    "created_at", "updated_at", "department_id", "is_shared", "in_force", "pub_until",
)  # fmt: skip


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _record(conn: sa.Connection, key: str, n: int, dept: int) -> tuple[Any, ...]:
    stamp = dialect.timestamp_text(conn, NOW)
    until = (None, "2025-06-01", "9999-12-31")[n % 3]
    data = f'{{"CF_WSH": "文书{n}", "n": {n}}}'
    shared, in_force = n % 4 != 0, n % 5 != 0
    return ("penalty", key, f"h{n}", 1, "s1", n, data, stamp, stamp, dept, shared, in_force, until)


def _log(conn: sa.Connection, prefix: str) -> list[tuple[Any, ...]]:
    """The change log of the records whose key starts with ``prefix``, by row number."""
    rows = conn.execute(
        sa.select(
            records.c.row_no,
            change_log.c.op,
            change_log.c.at,
            change_log.c.version,
            change_log.c.ends_on,
            change_log.c.payload,
            change_log.c.shared,
        )
        .join(records, records.c.id == change_log.c.record_id)
        .where(records.c.dedupe_key.startswith(prefix))
        .order_by(change_log.c.seq)
    ).all()
    return [tuple(r) for r in rows]


def _traced(conn: sa.Connection) -> list[str]:
    """SQLite: the statements the connection runs from now on, as they run."""
    statements: list[str] = []
    if dialect.is_sqlite(conn):
        dbapi = conn.connection.driver_connection
        assert isinstance(dbapi, sqlite3.Connection)
        dbapi.set_trace_callback(statements.append)
    return statements


def _trigger_names(conn: sa.Connection) -> list[str]:
    if not dialect.is_sqlite(conn):
        return []
    found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return sorted(name for (name,) in found)


def test_bulk_append_logs_what_row_triggers_log(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        dept = departments.add(conn, "市市场监督管理局", kind="provider", code=None, now=NOW).id
        names = _trigger_names(conn)
        many = 3 * dialect.BULK_TRIGGERS
        statements = _traced(conn)
        dialect.bulk_insert(conn, records, RECORD_COLUMNS, [
            _record(conn, f"bulk{n}", n, dept) for n in range(many)
        ])  # fmt: skip
        for n in range(many):  # one row a statement: the row triggers fire
            dialect.bulk_insert(conn, records, RECORD_COLUMNS, [_record(conn, f"one{n}", n, dept)])
        assert _trigger_names(conn) == names
        if dialect.is_sqlite(conn):  # the bulk append went without its row triggers
            assert sum("DROP TRIGGER" in sql for sql in statements) == 1
    with engine.connect() as conn:
        bulk, one = _log(conn, "bulk"), _log(conn, "one")
    assert len(bulk) == many
    assert bulk == one
    assert [row[0] for row in bulk] == list(range(many))  # in the order the rows were inserted


def test_bulk_subjects_are_found_by_name(engine: sa.Engine) -> None:
    names = [f"示例{n:03d}商贸有限公司" for n in range(2 * dialect.BULK_TRIGGERS)]
    with engine.begin() as conn:
        departments.add(conn, "市市场监督管理局", kind="provider", code=None, now=NOW)
        stamp = dialect.timestamp_text(conn, NOW)
        dialect.bulk_insert(conn, subjects, ("name", "name_norm", "created_at", "updated_at"), [
            (name, name, stamp, stamp) for name in names
        ])  # fmt: skip
    with engine.connect() as conn:
        for wanted in ("示例042", "007商贸"):
            where = dialect.contains(
                conn, subjects.c.name_norm, subjects.c.id, wanted, "subjects_fts"
            )
            found = conn.execute(sa.select(subjects.c.name).where(where)).scalars().all()
            assert found == [n for n in names if wanted in n]


def test_a_failed_append_leaves_the_triggers_in_place(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        dept = departments.add(conn, "市市场监督管理局", kind="provider", code=None, now=NOW).id
        names = _trigger_names(conn)
    rows = [_record(conn, f"k{n}", n, dept) for n in range(dialect.BULK_TRIGGERS)]
    rows.append(rows[0])  # the same key twice: the unique key refuses the statement
    refused = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)  # the driver's own error
    with pytest.raises(refused), engine.begin() as conn:
        departments.add(conn, "区市场监督管理局", kind="provider", code=None, now=NOW)
        dialect.bulk_insert(conn, records, RECORD_COLUMNS, rows)
    with engine.begin() as conn:
        assert _trigger_names(conn) == names
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 0
        dialect.bulk_insert(conn, records, RECORD_COLUMNS, [_record(conn, "after", 1, dept)])
    with engine.connect() as conn:
        assert [row[1] for row in _log(conn, "after")] == ["insert"]


def test_only_single_insert_triggers_over_new_rows_are_rewritten() -> None:
    change = (
        "CREATE TRIGGER t_ins AFTER INSERT ON records BEGIN "
        "INSERT INTO change_log (record_id, op) VALUES (NEW.id, 'insert'); END"
    )
    rewritten = triggers.rewrite(change)
    assert rewritten is not None
    assert rewritten.catch_up == (
        "INSERT INTO change_log (record_id, op) SELECT NEW.id, 'insert' "
        "FROM records AS new WHERE new.rowid > ? ORDER BY new.rowid"
    )
    two = (
        "CREATE TRIGGER t_upd AFTER INSERT ON subjects BEGIN "
        "INSERT INTO a (x) VALUES (new.id); INSERT INTO b (x) VALUES (new.id); END"
    )
    old = (
        "CREATE TRIGGER t_old AFTER UPDATE ON subjects BEGIN INSERT INTO a (x) VALUES (old.id); END"
    )
    assert triggers.rewrite(two) is None
    assert triggers.rewrite(old) is None
