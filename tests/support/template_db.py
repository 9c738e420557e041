"""Migrated template databases: ``migrate.upgrade`` of an empty store copies one, not Alembic.

Running the 27 migrations takes about two seconds (each loads the dataset catalog, some back-fill
tables) and the suite migrates an empty store over a thousand times. For the whole test session,
``gongxin.db.migrate.upgrade(engine)`` (to head) on a store with no tables at all therefore
copies a store that Alembic migrated to head once in this process, with the same code:

- SQLite: the template file is copied into the store with SQLite's online backup API;
- PostgreSQL: the empty database is dropped and created again ``TEMPLATE`` the migrated one.

Anything else runs the real migrations: a revision other than head, a store that already has
tables, a PostgreSQL database another session is still connected to, and every test marked
``alembic`` or under tests/db/ (the tests of the migrations themselves).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.records import regimes
from gongxin.settings import get_settings

Upgrade = Callable[..., "str | None"]

_real_upgrade: Upgrade = migrate.upgrade
_state: dict[str, object] = {"enabled": True}
_sqlite_template: list[Path] = []
_pg_templates: dict[tuple[str | None, int | None], tuple[URL, str]] = {}  # server → template
_numbers = itertools.count(1)


def _empty_sqlite(raw: sqlite3.Connection) -> bool:
    cursor = raw.execute("SELECT count(*) FROM sqlite_master")
    try:
        return bool(cursor.fetchone()[0] == 0)
    finally:
        cursor.close()


def _sqlite_template_file() -> Path:
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="gongxin-template-"))
        path = folder / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            _real_upgrade(engine)
        finally:
            engine.dispose()
        _sqlite_template.append(path)
    return _sqlite_template[0]


def _copy_sqlite(engine: sa.Engine) -> bool:
    template = _sqlite_template_file()
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        if raw.in_transaction or not _empty_sqlite(raw):
            return False
        source = sqlite3.connect(template)
        try:
            source.backup(raw)
        finally:
            source.close()
    return True


def _admin(url: URL) -> sa.Engine:
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_template(url: URL) -> str:
    key = (url.host, url.port)
    if key not in _pg_templates:
        name = f"gxt_{os.getpid()}_template_{next(_numbers)}"
        admin = _admin(url)
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
                )
        finally:
            admin.dispose()
        engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
        try:
            _real_upgrade(engine)
        finally:
            engine.dispose()
        _pg_templates[key] = (url, name)
    return _pg_templates[key][1]


def _copy_postgres(engine: sa.Engine) -> bool:
    url = engine.url
    name = url.database
    if not name:
        return False
    with engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).scalar_one()
    if tables:
        return False
    template = _pg_template(url)
    engine.dispose()
    admin = _admin(url)
    try:
        with admin.connect() as conn:
            try:
                conn.exec_driver_sql(f'DROP DATABASE "{name}"')
            except sa.exc.DBAPIError:  # another session holds it: migrate it for real
                return False
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        admin.dispose()
    return True


def upgrade_from_template(engine: sa.Engine, revision: str = "head") -> str | None:
    """``migrate.upgrade`` for tests: an empty store becomes a copy of the migrated template."""
    if _state["enabled"] and revision == "head":
        backend = engine.url.get_backend_name()
        copied = False
        if backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            copied = _copy_sqlite(engine)
        elif backend == "postgresql":
            copied = _copy_postgres(engine)
        if copied:
            # the back-fills of migrations 0012, 0017 and 0023 set the process's publicity
            # regimes to the deployment's; a copied store must leave the process as they do
            regimes.configure(get_settings().regimes_dir)
            return migrate.current_revision(engine)
    return _real_upgrade(engine, revision)


@pytest.fixture(scope="session", autouse=True)
def migrated_templates() -> Iterator[None]:
    """For the whole session, ``migrate.upgrade`` of an empty store copies a migrated one."""
    migrate.upgrade = upgrade_from_template  # type: ignore[assignment]
    try:
        yield
    finally:
        migrate.upgrade = _real_upgrade  # type: ignore[assignment]
        for url, name in _pg_templates.values():  # a server the session started is gone by now
            admin = _admin(url.update_query_dict({"connect_timeout": "2"}))
            try:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except sa.exc.OperationalError:
                pass
            finally:
                admin.dispose()
        _pg_templates.clear()


@pytest.fixture(autouse=True)
def _real_migrations_when_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked ``alembic``, and those under tests/db/, run Alembic itself."""
    path = Path(str(request.node.path))
    real = request.node.get_closest_marker("alembic") is not None or path.parent.name == "db"
    if not real:
        yield
        return
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = True
