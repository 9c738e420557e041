"""Engines for the operational store, configured per dialect."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from gongxin.settings import Settings


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        _set_pragmas(dbapi_conn, busy_timeout_ms)

    return apply


def _set_pragmas(dbapi_conn: Any, busy_timeout_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")  # wait this long for a lock
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 60_000,
    pool_size: int = 40,
    max_overflow: int = 10,
    **kwargs: Any,
) -> sa.Engine:
    """An engine for ``url``; SQLite files get their folder created and sane pragmas.

    On SQLite one submission writes at a time: another writer waits ``busy_timeout_ms`` for
    the lock and then fails (intake reports that as "busy, retry later").

    On PostgreSQL the pool keeps up to ``pool_size`` connections open once they have been
    used, and opens ``max_overflow`` more at a peak (closed again when returned).
    SQLAlchemy's own default keeps five: with 16 calls at once every returned connection
    beyond the fifth was closed and the next call opened a new one, a server process forked
    per call that cost PostgreSQL more CPU than the call itself (3.3 ms against 1.1 ms a
    check, ``bench/http_workers.py``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, **kwargs
    )


def for_settings(settings: Settings) -> sa.Engine:
    """The engine of ``settings``: its store, with its pool sizes."""
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


def reading(engine: sa.Engine) -> sa.Connection:
    """A connection for reads (``with reading(engine) as conn:``).

    On PostgreSQL it runs in autocommit mode: no ``BEGIN`` before the first statement and no
    ``ROLLBACK`` when it is returned, two round trips of three for a one-query read. What each
    statement sees is what it saw in a transaction at PostgreSQL's READ COMMITTED level: the
    data committed when the statement starts. A write on it commits at once. SQLite: a plain
    connection.
    """
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


_FREE = sa.text(
    "SELECT current_setting('max_connections')::int"
    " - current_setting('superuser_reserved_connections')::int"
    " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
)


def connections_short(engine: sa.Engine, wanted: int) -> int | None:
    """How many connections PostgreSQL lacks for ``wanted`` more (its ``max_connections``
    less the superuser's reserve and the connections open now), or None when it has room
    (and on SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    with reading(engine) as conn:
        short = wanted - int(conn.execute(_FREE).scalar_one())
    return short if short > 0 else None
