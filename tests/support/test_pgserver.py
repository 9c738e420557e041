"""The database fixtures give working, empty, distinct UTF-8 databases on both backends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.support.fixtures import PG_URL_ENV
from tests.support.pgserver import (
    PostgresNotFoundError,
    PostgresServer,
    TemporaryPostgres,
    find_bindir,
)

ROOT = Path(__file__).resolve().parents[2]
TEXT = "公共信用信息"

# URLs handed out so far in this session: every test must get a database of its own.
_seen_urls: set[str] = set()

metadata = sa.MetaData()
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.String(200), nullable=False),
)


def test_db_url_is_empty_and_round_trips_chinese(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(notes.insert(), [{"body": TEXT}, {"body": f"{TEXT}（测试）"}])
        with engine.connect() as conn:
            assert conn.execute(sa.select(notes.c.body).order_by(notes.c.id)).scalars().all() == [
                TEXT,
                f"{TEXT}（测试）",
            ]
            found = conn.execute(sa.select(notes.c.id).where(notes.c.body.like("%信用%")))
            assert len(found.all()) == 2
            length = conn.execute(sa.select(sa.func.length(notes.c.body)).limit(1)).scalar_one()
            assert length == len(TEXT)  # characters, not bytes
            if engine.dialect.name == "postgresql":
                assert conn.exec_driver_sql("SHOW server_encoding").scalar_one() == "UTF8"
                assert conn.exec_driver_sql("SHOW client_encoding").scalar_one() == "UTF8"
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_its_own_database(db_url: str, round_: int) -> None:
    assert db_url not in _seen_urls
    _seen_urls.add(db_url)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            # Would fail if an earlier test's database (and its table) were handed out again.
            conn.exec_driver_sql("CREATE TABLE marker (round INTEGER NOT NULL)")
            conn.exec_driver_sql(f"INSERT INTO marker VALUES ({round_})")
    finally:
        engine.dispose()


def test_db_url_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    url = make_url(db_url)
    backend = request.node.callspec.params["db_url"]
    if backend == "sqlite":
        assert url.drivername == "sqlite"
        assert url.database is not None and url.database.endswith("gongxin.db")
        assert request.node.get_closest_marker("postgres") is None
    else:
        assert url.drivername == "postgresql+psycopg"
        assert request.node.get_closest_marker("postgres") is not None


def test_pg_url_is_postgres_only(pg_url: str, request: pytest.FixtureRequest) -> None:
    assert make_url(pg_url).drivername == "postgresql+psycopg"
    assert request.node.get_closest_marker("postgres") is not None  # added at collection
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT current_database()").scalar_one() in pg_url
    finally:
        engine.dispose()


def test_server_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    if not isinstance(postgres_server, TemporaryPostgres):
        pytest.skip(f"{PG_URL_ENV} names an existing server: its listen addresses are its own")
    assert postgres_server.port is not None
    assert make_url(postgres_server.url("x")).host == "127.0.0.1"
    with postgres_server.connect() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    # Another loopback address reaches a server bound to 0.0.0.0, but not ours.
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.2", postgres_server.port)) != 0
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.1", postgres_server.port)) == 0


def test_drop_database_ends_open_sessions(postgres_server: PostgresServer) -> None:
    name = f"gxt_{os.getpid()}_drop_check"
    postgres_server.create_database(name)
    assert name in postgres_server.list_databases()
    engine = sa.create_engine(postgres_server.url(name))
    try:
        conn = engine.connect()  # left open on purpose
        conn.exec_driver_sql("SELECT 1")
        postgres_server.drop_database(name)
        assert name not in postgres_server.list_databases()
        with pytest.raises(sa.exc.DBAPIError):
            conn.exec_driver_sql("SELECT 1")
        conn.close()
    finally:
        engine.dispose()
    postgres_server.drop_database(name)  # dropping a missing database is a no-op


def test_database_names_are_checked(postgres_server: PostgresServer) -> None:
    with pytest.raises(ValueError, match="unusable database name"):
        postgres_server.create_database('x"; DROP DATABASE postgres; --')
    with pytest.raises(psycopg.errors.DuplicateDatabase):
        postgres_server.create_database("postgres")


def test_find_bindir_points_to_make_system_deps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GONGXIN_PG_BINDIR", raising=False)
    with pytest.raises(PostgresNotFoundError, match="make system-deps"):
        find_bindir(tmp_path)
    (tmp_path / "9" / "bin").mkdir(parents=True)
    (tmp_path / "16" / "bin").mkdir(parents=True)
    for version in ("9", "16"):
        for tool in ("initdb", "pg_ctl", "postgres"):
            path = tmp_path / version / "bin" / tool
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
    assert find_bindir(tmp_path) == tmp_path / "16" / "bin"  # numeric, not text, order


def test_missing_binaries_fail_rather_than_skip(tmp_path: Path) -> None:
    (tmp_path / "test_needs_pg.py").write_text(
        textwrap.dedent(
            """
            def test_both(db_url):
                assert db_url
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != PG_URL_ENV}
    env["GONGXIN_PG_BINDIR"] = str(tmp_path / "no-such-bin")
    env["PYTHONPATH"] = str(ROOT)
    plugins = ["-p", "tests.support.fixtures", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-q", "-rA", "test_needs_pg.py"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 passed, 1 error" in output, output
    assert "make system-deps" in output, output
    assert "skipped" not in output, output
