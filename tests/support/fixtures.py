"""pytest fixtures for tests that need a database (loaded by tests/conftest.py).

``db_url``
    Function-scoped, parametrized ``sqlite`` / ``postgresql``: a test that takes it runs
    twice, once on a new SQLite file in ``tmp_path`` and once on a new, empty UTF-8
    PostgreSQL database that is dropped after the test. The value is a SQLAlchemy URL
    (``sqlite:///...`` or ``postgresql+psycopg://postgres@127.0.0.1:PORT/NAME``).
``module_db_url``
    The same pair, module-scoped: for a module whose tests share one store (a live server,
    a loaded demo), each of its tests runs once per store.
``pg_url``
    Function-scoped: a new, empty PostgreSQL database only, for PostgreSQL-specific tests.
``postgres_server``
    Session-scoped: the server behind them (``url()``, ``create_database()``,
    ``drop_database()``, ``connect()``), started on first use only.

PostgreSQL tests carry the ``postgres`` marker (``pytest -m "not postgres"`` leaves them
out). The server is a private one started with the Debian binaries, or, when
``GONGXIN_TEST_PG_URL`` is set, that existing server. Missing binaries fail the tests
(they do not skip them): run ``make system-deps``.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import psycopg
import pytest

from tests.support.pgserver import (
    ExistingPostgres,
    PostgresNotFoundError,
    PostgresServer,
    PostgresStartError,
    TemporaryPostgres,
)

if TYPE_CHECKING:
    from gongxin.analytics.engines import SparkEngine

PG_URL_ENV = "GONGXIN_TEST_PG_URL"

_database_numbers = itertools.count(1)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server (directly or through ``pg_url``)
    as ``postgres``, so that ``-m "not postgres"`` can leave them out."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "postgres_server" in names and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of this test session (started on first use, stopped at the end)."""
    external = os.environ.get(PG_URL_ENV)
    problem: str | None = None
    if external:
        server: PostgresServer = ExistingPostgres(external)
        try:
            with server.connect() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            problem = f"{PG_URL_ENV}={external!r}: cannot connect: {exc}"
        if problem:  # failed outside the except block: one message, no chained traceback
            pytest.fail(problem, pytrace=False)
        yield server
        return

    try:
        temporary = TemporaryPostgres()
        temporary.start()
    except (PostgresNotFoundError, PostgresStartError) as exc:
        problem = f"could not start the test PostgreSQL server: {exc}"
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        yield temporary
    finally:
        temporary.stop()


def _database_name(request: pytest.FixtureRequest) -> str:
    """A database name unique to this process and test, readable in pg_stat_activity."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    return f"gxt_{os.getpid()}_{next(_database_numbers)}_{slug}"[:63].rstrip("_")


def _fresh_database(server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    name = _database_name(request)
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def pg_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty PostgreSQL database, dropped after the test."""
    yield from _fresh_database(postgres_server, request)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database: SQLite file, then PostgreSQL database."""
    if request.param == "sqlite":
        tmp_path = request.getfixturevalue("tmp_path")
        yield f"sqlite:///{tmp_path}/gongxin.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    yield from _fresh_database(server, request)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``db_url`` shared by the tests of one module: a new SQLite file, then a new PostgreSQL
    database (dropped after the module)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store')}/gongxin.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    yield from _fresh_database(server, request)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkEngine]:
    """The test run's one Spark session (``local[2]``), for every test that compares engines;
    under pytest-xdist these tests share one worker (``tests/conftest.py``), so one JVM starts."""
    from gongxin.analytics.engines import SparkEngine

    engine = SparkEngine("local[2]", partitions=2)
    try:
        yield engine
    finally:
        engine.close()
