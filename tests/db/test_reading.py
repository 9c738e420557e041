"""Reads on PostgreSQL hold no transaction open (no BEGIN and ROLLBACK round trips around a
credit check's or a key's lookup), and the connection goes back to the pool as it came."""

from __future__ import annotations

import sqlalchemy as sa

from gongxin.db.engine import make_engine, reading

STATE = sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid")


def test_a_read_leaves_no_transaction_open(pg_url: str) -> None:
    engine = make_engine(pg_url, pool_size=1, max_overflow=1)
    try:
        with engine.connect() as watcher, reading(engine) as conn:  # conn goes back first
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            # what a DBA sees between two statements of the read: idle, not "idle in transaction"
            assert watcher.execute(STATE, {"pid": pid}).scalar_one() == "idle"
            conn.execute(sa.text("CREATE TABLE t (n int)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            # a write on it is committed at once
            assert watcher.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        with engine.connect() as conn, engine.connect() as watcher:
            # the same pooled connection (pool of one) is transactional again
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() == pid
            conn.execute(sa.text("INSERT INTO t VALUES (2)"))
            assert watcher.execute(STATE, {"pid": pid}).scalar_one() == "idle in transaction"
            conn.rollback()
            assert watcher.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        engine.dispose()


def test_sqlite_reads_as_before(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/r.db")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (n int)"))
        with reading(engine) as conn:
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            conn.rollback()  # an ordinary transaction: the insert is undone
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        engine.dispose()
