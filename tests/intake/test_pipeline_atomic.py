"""A submission is atomic: a failure or a crash in the middle leaves nothing of it, and running
it again does the whole job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from gongxin.db.engine import make_engine
from gongxin.errors import Busy
from gongxin.intake import pipeline
from gongxin.intake.pipeline import ingest
from gongxin.intake.store import RecordWriter
from tests.intake.helpers import (
    AS_OF,
    PROVIDER,
    Store,
    assert_reconciles,
    catalog,
    penalty_row,
    prepare,
    write_penalties,
)

EMPTY = {"submissions": 0, "records": 0, "rejects": 0, "record_history": 0, "subjects": 0}


class Boom(RuntimeError):
    pass


def fifty_rows() -> list[dict[str, str]]:
    """50 rows; every fifth one is rejected (so the first batch of ten writes rejects too)."""
    return [penalty_row(n) if n % 5 else penalty_row(n, CF_SY="") for n in range(1, 51)]


# The writer's entry point for accepted rows (``write``, or ``write_prepared`` where the
# pipeline hands over rows prepared by its validation step).
WRITE = "write_prepared" if hasattr(RecordWriter, "write_prepared") else "write"


def test_a_failure_in_the_middle_leaves_nothing_and_a_rerun_completes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.penalties("fifty.csv", fifty_rows())
    original = getattr(RecordWriter, WRITE)
    calls: list[int] = []

    def failing_write(self: RecordWriter, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise Boom("disk on fire")
        original(self, rows)

    monkeypatch.setattr(RecordWriter, WRITE, failing_write)
    with pytest.raises(Boom, match="disk on fire"):
        store.ingest(path, batch_rows=10)
    assert len(calls) >= 2  # the first batch was written before the failure
    assert store.counts() == EMPTY

    monkeypatch.setattr(RecordWriter, WRITE, original)
    summary = store.ingest(path, batch_rows=10)
    assert summary.already_processed is False
    assert (summary.rows, summary.accepted, summary.rejected) == (50, 40, 10)
    assert_reconciles(summary)
    assert store.count("records") == 40
    assert store.count("rejects") == 10
    assert store.count("submissions") == 1


TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER boom BEFORE INSERT ON records FOR EACH ROW WHEN NEW.row_no = 33 "
        "BEGIN SELECT RAISE(ABORT, 'boom at row 33'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.row_no = 33 THEN RAISE EXCEPTION 'boom at row 33'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER boom BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION boom()",
    ],
}


def test_a_database_error_in_a_later_batch_leaves_nothing(store: Store) -> None:
    """The database itself refuses row 33 (a trigger), after three batches were stored."""
    path = store.penalties("fifty.csv", fifty_rows())
    with store.engine.begin() as conn:
        for statement in TRIGGER[conn.dialect.name]:
            conn.exec_driver_sql(statement)
    with pytest.raises(Exception, match="boom at row 33"):
        store.ingest(path, batch_rows=10)
    assert store.counts() == EMPTY

    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TRIGGER boom" + (" ON records" if conn.dialect.name == "postgresql" else "")
        )
    summary = store.ingest(path, batch_rows=10)
    assert (summary.rows, summary.accepted, summary.rejected) == (50, 40, 10)
    assert store.count("records") == 40


def test_a_failure_writing_rejects_leaves_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.penalties("fifty.csv", fifty_rows())
    original = RecordWriter.reject
    calls: list[int] = []

    def failing_reject(self: RecordWriter, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 3:
            raise Boom("quarantine full")
        original(self, rows)

    monkeypatch.setattr(RecordWriter, "reject", failing_reject)
    with pytest.raises(Boom):
        store.ingest(path, batch_rows=10)
    assert store.counts() == EMPTY
    monkeypatch.setattr(RecordWriter, "reject", original)
    assert store.ingest(path, batch_rows=10).accepted == 40


KILL_ROWS = 30_000
KILL_BATCH = 1_000
CHILD = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from pathlib import Path

    import sqlalchemy as sa

    from gongxin.catalog.registry import load_catalog
    from gongxin.db.engine import make_engine
    from gongxin.intake.pipeline import ingest

    url, path, provider, as_of, batch = sys.argv[1:]
    engine = make_engine(url)

    @sa.event.listens_for(engine, "connect")
    def small_cache(dbapi_conn, _record):
        # A small page cache, so the open transaction spills pages to the WAL early on.
        dbapi_conn.execute("PRAGMA cache_size=-1024")

    def progress(rows):
        print(rows, flush=True)

    ingest(
        engine, load_catalog(), Path(path), dataset="penalty", provider=provider,
        as_of=datetime.fromisoformat(as_of), batch_rows=int(batch), progress=progress,
    )
    print("done", flush=True)
    """
)


def _wait_until_written(child: subprocess.Popen[str], wal: Path, batches: int) -> None:
    """Follow the child's progress until ``batches`` batches have gone to the writer thread and
    the open transaction has put pages into the WAL file."""
    assert child.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            pytest.fail(f"the ingesting process ended early (exit code {child.wait()})")
        if line.strip() == "done":
            pytest.fail(f"the ingest of {KILL_ROWS} rows finished before it could be killed")
        if int(line) >= batches * KILL_BATCH and wal.exists() and wal.stat().st_size > 0:
            return
    pytest.fail("the ingesting process wrote nothing to the WAL")


@pytest.mark.slow
def test_kill_9_in_the_middle_leaves_nothing_and_a_rerun_completes(tmp_path: Path) -> None:
    """SQLite only: a real process, killed with SIGKILL after several batches were written."""
    url = f"sqlite:///{tmp_path}/killed.db"
    engine = make_engine(url)
    try:
        prepare(engine)
    finally:
        engine.dispose()
    store = Store(make_engine(url), tmp_path)
    try:
        rows = [penalty_row(n) if n % 100 else penalty_row(n, CF_SY="") for n in range(KILL_ROWS)]
        path = store.penalties("big.csv", rows)
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                url,
                str(path),
                PROVIDER,
                AS_OF.isoformat(),
                str(KILL_BATCH),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_until_written(child, tmp_path / "killed.db-wal", 3)
            assert child.poll() is None
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
            assert child.stdout is not None
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL

        assert store.counts() == EMPTY

        summary = store.ingest(path)
        assert summary.already_processed is False
        assert (summary.rows, summary.accepted, summary.rejected) == (KILL_ROWS, 29_700, 300)
        assert_reconciles(summary)
        assert store.count("records") == 29_700
        assert store.count("rejects") == 300
        assert store.count("submissions") == 1
    finally:
        store.engine.dispose()


def test_a_busy_sqlite_store_is_reported_as_busy_and_nothing_is_stored(tmp_path: Path) -> None:
    """Another process holds the write lock for longer than the busy timeout."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engine = make_engine(url, busy_timeout_ms=200)
    try:
        prepare(engine)
        path = write_penalties(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)])
        blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(Busy) as caught:
                ingest(engine, catalog(), path, dataset="penalty", provider=PROVIDER, as_of=AS_OF)
            assert caught.value.status == 503
            assert "稍后" in caught.value.zh and "later" in caught.value.en
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        summary = ingest(engine, catalog(), path, dataset="penalty", provider=PROVIDER, as_of=AS_OF)
        assert (summary.accepted, summary.already_processed) == (2, False)
    finally:
        engine.dispose()


def test_the_same_file_twice_at_the_same_moment_stores_it_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two simultaneous uploads loses the race on the unique key (dataset,
    department, SHA-256) and reports the first one's summary."""
    path = store.penalties("p.csv", [penalty_row(1), penalty_row(2)])
    first = store.ingest(path)
    real = pipeline._previous
    looks: list[int] = []

    def not_yet(*args: Any) -> Any:  # the check ran before the other upload committed
        looks.append(1)
        return None if len(looks) == 1 else real(*args)

    monkeypatch.setattr(pipeline, "_previous", not_yet)
    again = store.ingest(path)
    assert again.already_processed is True
    assert again.submission_id == first.submission_id
    assert store.count("submissions") == 1 and store.count("records") == 2
