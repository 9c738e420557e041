"""Migration 0009 on a store with data: each record gets the department of its submission as
its owner, history and change-log triggers survive, and keys become unique per owner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.engine import make_engine

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _insert(conn: sa.Connection, sql: str, **values: object) -> None:
    conn.execute(sa.text(sql), values)


def test_existing_records_are_owned_by_their_submitters(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as conn:
            for dept_id, name in ((1, "市市场监督管理局"), (2, "市生态环境局")):
                _insert(
                    conn,
                    "INSERT INTO departments (id, name, kind, created_at) "
                    "VALUES (:id, :name, 'provider', :now)",
                    id=dept_id, name=name, now=NOW,
                )  # fmt: skip
            for sub, dept_id in (("s1", 1), ("s2", 2)):
                _insert(
                    conn,
                    "INSERT INTO submissions (id, dataset, department_id, file_name, file_sha256,"
                    " file_size, format, layout, status, rows, accepted, updated, duplicates,"
                    " rejected, unlinked, warnings, headers, unknown_columns, notes, received_at)"
                    " VALUES (:id, 'penalty', :dept, 'f.csv', :sha, 1, 'csv', 'current',"
                    " 'complete', 1, 1, 0, 0, 0, 0, 0, '[]', '[]', '[]', :now)",
                    id=sub, dept=dept_id, sha=sub * 32, now=NOW,
                )  # fmt: skip
            for rid, sub in ((1, "s1"), (2, "s2")):
                _insert(
                    conn,
                    "INSERT INTO records (id, dataset, dedupe_key, content_hash, version,"
                    " submission_id, row_no, data, created_at, updated_at) VALUES (:id,"
                    " 'penalty', :key, 'h', 2, :sub, 2, '{}', :now, :now)",
                    id=rid, key=f"k{rid}", sub=sub, now=NOW,
                )  # fmt: skip
            _insert(
                conn,
                "INSERT INTO record_history (record_id, version, content_hash, submission_id,"
                " row_no, data, replaced_at, replaced_by) VALUES (1, 1, 'old', 's1', 2, '{}',"
                " :now, 's1')",
                now=NOW,
            )

        assert migrate.upgrade(engine) == migrate.head_revision()

        with engine.begin() as conn:
            owners = conn.execute(sa.text("SELECT id, department_id FROM records ORDER BY id"))
            assert owners.all() == [(1, 1), (2, 2)]
            history = conn.execute(sa.text("SELECT record_id, content_hash FROM record_history"))
            assert history.all() == [(1, "old")]
            # the same key under another owner is a record of its own; under the same, refused
            _insert(
                conn,
                "INSERT INTO records (id, dataset, dedupe_key, content_hash, version,"
                " submission_id, row_no, data, created_at, updated_at, department_id) VALUES"
                " (3, 'penalty', 'k1', 'h', 1, 's2', 3, '{}', :now, :now, 2)",
                now=NOW,
            )
            changes = conn.execute(
                sa.text("SELECT count(*) FROM change_log WHERE record_id = 3")
            ).scalar_one()
            assert changes == 1  # the change-log trigger still fires
        with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
            _insert(
                conn,
                "INSERT INTO records (id, dataset, dedupe_key, content_hash, version,"
                " submission_id, row_no, data, created_at, updated_at, department_id) VALUES"
                " (4, 'penalty', 'k1', 'h', 1, 's1', 4, '{}', :now, :now, 1)",
                now=NOW,
            )
    finally:
        engine.dispose()
