"""SQLite row triggers run once per bulk append instead of once per row.

A row trigger (``AFTER INSERT … FOR EACH ROW``) costs a program run per inserted row: the
change log's copy of each new record, the full-text index of each new subject. For a bulk
append :func:`once_per_append` drops the table's insert triggers *inside the writing
transaction*, lets the rows be inserted, then runs each trigger's body once over all the new
rows (``INSERT … SELECT … FROM table AS new WHERE new.rowid > :before ORDER BY new.rowid``)
and creates the triggers again, with their stored SQL, before the transaction goes on.

SQLite's DDL is transactional and the writing transaction holds the database's one write lock
from the first write: no other connection can insert while the triggers are away, readers keep
their snapshot (with the triggers), and a failure rolls the drop back with everything else. The
rows get the same side rows, in the same order, as the triggers would have written one by one.
A trigger this module cannot rewrite (more than one statement, anything but ``INSERT … VALUES``,
a reference to ``old``) is left in place and fires per row as usual. PostgreSQL's triggers on
these tables are statement triggers already: nothing is done there.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>\w+)\s+AFTER\s+INSERT\s+ON\s+"
    r"(?P<table>\w+)\s+(?:FOR\s+EACH\s+ROW\s+)?(?:WHEN\s+(?P<when>.+?)\s+)?BEGIN\s+"
    r"(?P<body>.+?);?\s*END\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_INSERT = re.compile(
    r"^INSERT\s+INTO\s+(?P<target>\w+)\s*\((?P<columns>[^()]*)\)\s*VALUES\s*\((?P<values>.*)\)$",
    re.IGNORECASE | re.DOTALL,
)
_OLD = re.compile(r"\bold\s*\.", re.IGNORECASE)


@dataclass(frozen=True)
class Deferred:
    """One insert trigger taken away for a bulk append: how to create it again and how to run
    its body once over the appended rows."""

    name: str
    create: str  # the trigger's stored SQL
    catch_up: str  # its body over rows with rowid > ? (one parameter)


def rewrite(sql: str) -> Deferred | None:
    """The :class:`Deferred` form of an ``AFTER INSERT`` row trigger, or None when its body is
    not one ``INSERT INTO t (columns) VALUES (expressions)`` over ``new`` alone."""
    trigger = _TRIGGER.match(sql)
    if trigger is None:
        return None
    body = trigger["body"].strip()
    insert = _INSERT.match(body)
    if insert is None or ";" in body or _OLD.search(body) or "'" in trigger["table"]:
        return None
    when = f" AND ({trigger['when']})" if trigger["when"] else ""
    catch_up = (
        f"INSERT INTO {insert['target']} ({insert['columns']}) SELECT {insert['values']} "
        f"FROM {trigger['table']} AS new WHERE new.rowid > ?{when} ORDER BY new.rowid"
    )
    return Deferred(trigger["name"], sql, catch_up)


def _insert_triggers(conn: sa.Connection, table: str) -> list[Deferred]:
    rows = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
        (table,),
    ).fetchall()
    found = [rewrite(sql) for (sql,) in rows if sql]
    return [d for d in found if d is not None]


@contextmanager
def once_per_append(conn: sa.Connection, table: str) -> Iterator[None]:
    """Within the block, rows appended to ``table`` (SQLite) fire its insert triggers once for
    all of them, at the end of the block, instead of once each. The block must only append
    to ``table`` (no updates or deletes of it). Only inside a transaction that has written
    already (sqlite3 opens one at the first write, and a trigger dropped before it would be
    dropped for good): otherwise the triggers fire per row as usual."""
    dbapi = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or not getattr(dbapi, "in_transaction", False):
        # outside an open transaction the drop would be committed on its own: rows one by one
        yield
        return
    deferred = _insert_triggers(conn, table)
    if not deferred:
        yield
        return
    before = conn.exec_driver_sql(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').scalar_one()
    for d in deferred:
        conn.exec_driver_sql(f'DROP TRIGGER "{d.name}"')
    try:
        yield
        for d in deferred:
            conn.exec_driver_sql(d.catch_up, (before,))
    except BaseException:
        # put back on failure too (the transaction is normally rolled back, which restores
        # them anyway; a caller that catches the error and goes on writes with them in place)
        with contextlib.suppress(sa.exc.DBAPIError):
            _create(conn, deferred)
        raise
    _create(conn, deferred)


def _create(conn: sa.Connection, deferred: list[Deferred]) -> None:
    for d in deferred:
        conn.exec_driver_sql(d.create)
