"""Every difference between SQLite and PostgreSQL that gongxin relies on lives here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from gongxin.db import triggers

# Rows from which a SQLite bulk insert runs the table's insert triggers once for all rows.
BULK_TRIGGERS = 64
# Bound parameters per statement: SQLite's default limit is 32,766; stay well below it.
MAX_IN_PARAMS = 5000


def is_sqlite(conn: sa.Connection) -> bool:
    return conn.dialect.name == "sqlite"


def bulk_insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Append rows fast, inside the connection's current transaction.

    Values are bound parameters in both dialects: SQLite gets one prepared INSERT run with
    ``executemany``; PostgreSQL gets ``COPY … FROM STDIN``. Values must already be in their
    stored text form (ISO dates and timestamps, JSON as text). On SQLite, from
    ``BULK_TRIGGERS`` rows the table's insert triggers run once over all the rows
    (:func:`gongxin.db.triggers.once_per_append`) instead of once per row.
    """
    dbapi = conn.connection.driver_connection
    if dbapi is None:  # pragma: no cover - a closed connection
        raise RuntimeError("connection is closed")
    names = ", ".join(f'"{c}"' for c in columns)
    if is_sqlite(conn):
        marks = ", ".join("?" for _ in columns)
        listed = rows if isinstance(rows, list) else list(rows)
        # many rows: the table's insert triggers run once over all of them (db.triggers)
        many = len(listed) >= BULK_TRIGGERS
        with triggers.once_per_append(conn, table.name) if many else nullcontext():
            cur = dbapi.cursor()
            try:
                cur.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', listed)
            finally:
                cur.close()
        return
    with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def chunked(values: Sequence[Any], size: int = MAX_IN_PARAMS) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def timestamp_text(conn: sa.Connection, moment: datetime) -> str:
    """A timestamp in the text form each dialect's bulk path stores and reads back.

    SQLite keeps SQLAlchemy's own layout (naive UTC); PostgreSQL gets an explicit offset.
    """
    utc = moment.astimezone(UTC)
    if is_sqlite(conn):
        return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return utc.isoformat()


def select_in(
    conn: sa.Connection,
    table: str,
    key: str,
    columns: Sequence[str],
    keys: Sequence[Any],
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """``SELECT key, columns… FROM table WHERE key IN keys [AND where]``, for hot paths.

    Skips SQL compilation: SQLite gets a list of ``?`` marks per chunk, PostgreSQL one array
    parameter (``= ANY(%s)``). ``where`` uses the driver's own placeholder style via ``mark``.
    """
    cols = ", ".join([key, *columns])
    extra = f" AND {where}" if where else ""
    found: list[tuple[Any, ...]] = []
    if not keys:
        return found
    if is_sqlite(conn):
        for chunk in chunked(keys):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {cols} FROM {table} WHERE {key} IN ({marks}){extra}"
            found.extend(conn.exec_driver_sql(sql, (*chunk, *params)).fetchall())
        return found
    sql = f"SELECT {cols} FROM {table} WHERE {key} = ANY(%s){extra}"
    found.extend(conn.exec_driver_sql(sql, (list(keys), *params)).fetchall())
    return found


def mark(conn: sa.Connection) -> str:
    """The driver's placeholder for raw SQL: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if is_sqlite(conn) else "%s"


def contains(
    conn: sa.Connection,
    column: sa.ColumnElement[str],
    key: sa.ColumnElement[Any],
    text: str,
    fts_table: str,
) -> sa.ColumnElement[bool]:
    """Rows whose ``column`` contains ``text``, through the dialect's trigram index.

    SQLite: the FTS5 trigram table ``fts_table`` (external content, rowid = ``key``) for three
    characters or more, else a scan. PostgreSQL: LIKE, which pg_trgm's GIN index serves.
    """
    if is_sqlite(conn):
        if len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            match: sa.Select[Any] = (
                sa.select(sa.literal_column("rowid"))
                .select_from(sa.table(fts_table))
                .where(sa.literal_column(fts_table).op("MATCH")(phrase))
            )
            return key.in_(match)
        return sa.func.instr(column, text) > 0
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def contains_sql(
    conn: sa.Connection, expression: str, texts: Sequence[str], fts_table: str | None = None
) -> tuple[str, list[str]]:
    """:func:`contains` as raw SQL for the driver (condition, parameters): ``expression`` holds
    every one of ``texts``. SQLite: the FTS5 trigram table ``fts_table`` (rowid = ``id``) for
    texts of three characters or more, else ``instr``; PostgreSQL: LIKE (pg_trgm's index when
    ``expression`` is the indexed column)."""
    parts: list[str] = []
    params: list[str] = []
    for text in texts:
        if not is_sqlite(conn):
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            parts.append(f"{expression} LIKE %s ESCAPE '\\'")
            params.append(f"%{escaped}%")
        elif fts_table is not None and len(text) >= 3:
            parts.append(f"id IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH ?)")
            params.append('"' + text.replace('"', '""') + '"')
        else:
            parts.append(f"instr({expression}, ?) > 0")
            params.append(text)
    return " AND ".join(parts) or "1 = 1", params


def union_all(conn: sa.Connection, first: str, second: str) -> str:
    """Raw SQL: the rows of two SELECTs that may each have ORDER BY and LIMIT, one after the
    other. PostgreSQL takes them in parentheses; SQLite only as subqueries."""
    if is_sqlite(conn):
        return f"SELECT * FROM ({first}) UNION ALL SELECT * FROM ({second})"
    return f"({first}) UNION ALL ({second})"


def fts_phrases(conn: sa.Connection, texts: Sequence[str]) -> str | None:
    """SQLite: the FTS5 trigram query that matches rows containing every one of ``texts`` (each
    a quoted phrase; FTS5 ANDs them), when each is three characters or more; else None (and on
    PostgreSQL, which has no FTS5 table)."""
    if not is_sqlite(conn) or not texts or any(len(t) < 3 for t in texts):
        return None
    return " ".join('"' + t.replace('"', '""') + '"' for t in texts)


def serialize_appends(conn: sa.Connection, key: int) -> None:
    """Make this transaction the only one appending to a chained log until it ends.

    PostgreSQL: a transaction-scoped advisory lock on ``key``. SQLite: take the database write
    lock now (a write that changes nothing), before the transaction reads the chain's tail.
    """
    if is_sqlite(conn):
        conn.exec_driver_sql("UPDATE audit_log SET seq = seq WHERE 0")
    else:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


def increment(
    conn: sa.Connection, table: sa.Table, key: dict[str, Any], column: str, by: int = 1
) -> int:
    """Add ``by`` (one by default) to ``column`` of the row of ``table`` whose primary key is
    ``key``, inserting the row with ``by`` when it is missing, in one atomic statement; the new
    value.

    Both dialects: ``INSERT … ON CONFLICT (key) DO UPDATE SET column = column + by RETURNING``
    (SQLite ≥ 3.35), so concurrent callers never lose a count.
    """
    statement = _increments.get((conn.dialect.name, table.name, tuple(key), column))
    if statement is None:  # built once per table and key: no statement construction per call
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert(table) if is_sqlite(conn) else postgresql.insert(table)
        by_param = sa.bindparam("increment_by", type_=table.c[column].type)
        statement = (
            insert.values(**{k: sa.bindparam(k, type_=table.c[k].type) for k in key},
                          **{column: by_param})
            .on_conflict_do_update(
                index_elements=list(key), set_={column: table.c[column] + by_param}
            )
            .returning(table.c[column])
        )  # fmt: skip
        _increments[(conn.dialect.name, table.name, tuple(key), column)] = statement
    return int(conn.execute(statement, {**key, "increment_by": by}).scalar_one())


_increments: dict[tuple[str, str, tuple[str, ...], str], sa.Executable] = {}


def insert_or_update(
    conn: sa.Connection, table: sa.Table, key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Insert the row ``key`` + ``values``, or set ``values`` on the row ``key`` when a
    concurrent transaction inserted it first (``INSERT … ON CONFLICT DO UPDATE``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = sqlite.insert(table) if is_sqlite(conn) else postgresql.insert(table)
    conn.execute(
        insert.values(**key, **values).on_conflict_do_update(index_elements=list(key), set_=values)
    )


def insert_if_absent(
    conn: sa.Connection, table: sa.Table, key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Insert the row ``key`` + ``values`` unless a row ``key`` exists (``ON CONFLICT DO
    NOTHING``: a concurrent insert of the same key wins quietly)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = sqlite.insert(table) if is_sqlite(conn) else postgresql.insert(table)
    conn.execute(insert.values(**key, **values).on_conflict_do_nothing(index_elements=list(key)))


def json_has(
    conn: sa.Connection, column: sa.ColumnElement[Any], key: str
) -> sa.ColumnElement[bool]:
    """Whether the JSON object in ``column`` holds ``key`` (a field code: letters, digits, _).

    PostgreSQL (JSONB): ``column ? key``. SQLite keeps JSON as text, and parsing it per key
    (``json_type``) costs more than reading the rows: there the test is ``instr(column,
    '"key":') > 0``, exact for a flat object with such keys (inside a JSON string every quote is
    escaped, so ``"key":`` can only be a member name).
    """
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise ValueError(f"json_has: {key!r} is not a plain key")
    if is_sqlite(conn):
        return sa.func.instr(column, sa.literal(f'"{key}":', sa.String)) > 0
    return column.op("?", return_type=sa.Boolean)(key)


def snapshot_horizon(conn: sa.Connection) -> tuple[int, int] | None:
    """PostgreSQL: the (xmin, xmax) of the current snapshot — every transaction id below xmin
    has finished, none at or above xmax had started. SQLite (one writer at a time): None."""
    if is_sqlite(conn):
        return None
    row = conn.exec_driver_sql(
        "SELECT txid_snapshot_xmin(s), txid_snapshot_xmax(s) FROM txid_current_snapshot() s"
    ).one()
    return int(row[0]), int(row[1])


def current_txid(conn: sa.Connection) -> sa.ColumnElement[Any] | None:
    """The writing transaction's id as a SQL expression (PostgreSQL), None on SQLite."""
    return None if is_sqlite(conn) else sa.func.txid_current()


@contextmanager
def wait_briefly(conn: sa.Connection, milliseconds: int = 200) -> Iterator[None]:
    """Within the block, lock waits of this connection give up after ``milliseconds`` (SQLite).

    For optional writes (a session's last-seen time) that must not stall a page while a long
    submission holds SQLite's one write lock; the caller catches the OperationalError and skips
    the write. PostgreSQL locks rows, so there is nothing to shorten there.
    """
    if not is_sqlite(conn):
        yield
        return
    usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(usual)}")


_writer_locks: dict[str, threading.Lock] = {}


def one_writer(engine: sa.Engine) -> AbstractContextManager[object]:
    """Serialise short write transactions of this process on SQLite (one writer per file):
    threads queue on a lock instead of sleeping in SQLite's busy handler. PostgreSQL: nothing."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = str(engine.url)
    lock = _writer_locks.get(key)
    if lock is None:
        lock = _writer_locks.setdefault(key, threading.Lock())
    return lock


class utf8_text(FunctionElement[Any]):  # used like a SQL function
    """A text column read as the driver's cheapest form to send on: SQLite gives its bytes
    (``CAST(… AS BLOB)``: the UTF-8 as stored, not decoded into a str only to be encoded
    again); PostgreSQL the text itself. For JSON text embedded in an answer as it is."""

    name = "utf8_text"
    inherit_cache = True
    type = sa.types.NullType()


@compiles(utf8_text, "sqlite")
def _utf8_sqlite(element: utf8_text, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(utf8_text)
def _utf8_other(element: utf8_text, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


class Prepared:
    """A statement compiled once for one dialect, run on the driver's own cursor: no statement
    cache lookup, no result processing. Parameters are given by name; dates are passed as ISO
    text on SQLite (their stored form)."""

    __slots__ = ("fixed", "names", "sql")

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        # qmark (SQLite): the names in positional order; pyformat (psycopg): by name
        order = compiled.positiontup if isinstance(compiled, SQLCompiler) else None
        self.names: tuple[str, ...] | None = tuple(order) if order is not None else None
        # the statement's own values (literals, limits), unless given at execution
        self.fixed = {k: v for k, v in compiled.params.items() if v is not None}

    def rows(self, conn: sa.Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """All rows of the statement with ``params``, as the driver returns them."""
        values = self.fixed | params if self.fixed else params
        if self.names is None:
            return driver_rows(conn, self.sql, values)
        return driver_rows(conn, self.sql, [_sqlite_value(values[n]) for n in self.names])


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if type(value) is date else value


def prepared(conn: sa.Connection, key: Hashable, build: Callable[[], sa.ClauseElement]) -> Prepared:
    """The statement ``build`` makes, compiled once per dialect and ``key``."""
    name = conn.dialect.name
    found = _PREPARED.get((name, key))
    if found is None:
        found = _PREPARED[(name, key)] = Prepared(build(), conn.dialect)
    return found


_PREPARED: dict[tuple[str, Hashable], Prepared] = {}


def driver_rows(
    conn: sa.Connection,
    sql: str,
    params: Sequence[Any] | dict[str, Any],
    *,
    binary: bool = False,
) -> list[tuple[Any, ...]]:
    """All rows of raw ``sql`` (the driver's placeholders, see :func:`mark`) on the driver's
    own cursor, as the driver returns them: for large reads, without per-row processing.
    ``binary``: PostgreSQL sends the values in binary (a ``bytea`` as its bytes, not hex)."""
    dbapi = conn.connection.driver_connection
    if dbapi is None:  # pragma: no cover - a closed connection
        raise RuntimeError("connection is closed")
    cur = dbapi.cursor(binary=True) if binary and not is_sqlite(conn) else dbapi.cursor()
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def driver_batches(
    conn: sa.Connection, sql: str, params: Sequence[Any] = (), size: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of raw ``sql`` like :func:`driver_rows`, in batches of ``size``: a scan of a
    whole table read at the driver's pace, never all held at once."""
    dbapi = conn.connection.driver_connection
    if dbapi is None:  # pragma: no cover - a closed connection
        raise RuntimeError("connection is closed")
    cur = dbapi.cursor()
    try:
        cur.execute(sql, tuple(params))
        while chunk := cur.fetchmany(size):
            yield list(chunk)
    finally:
        cur.close()
