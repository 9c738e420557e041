"""Migration 0034 on a store with issued reports: every report keeps the 验证码 it was first
issued with, and a later download prints that code."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.report_tables import report_codes

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _issue(conn: sa.Connection, n: int, report_no: str, sha: str, code: str | None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO issued_reports (id, report_no, subject_code, as_of, content_sha256,"
            " pdf_sha256, content, issued_at, verification_code) VALUES (:id, :no,"
            " '91110108551385082Q', '2026-11-22', :sha, :pdf, '{}', :now, :code)"
        ),
        {"id": n, "no": report_no, "sha": sha, "pdf": f"{n:064d}", "now": NOW, "code": code},
    )


def test_issued_reports_keep_their_first_code(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, "0031")
        with engine.begin() as conn:
            _issue(conn, 1, "XY20261122aaaaaaaaaa", "a" * 64, None)  # before codes existed
            _issue(conn, 2, "XY20261122aaaaaaaaaa", "a" * 64, "K7M3PQ9XRT")
            _issue(conn, 3, "XY20261122aaaaaaaaaa", "a" * 64, "K7M3PQ9XRT")  # a later download
            _issue(conn, 4, "XY20261122aaaaaaaaaa", "b" * 64, "H4N8WV2CZB")  # content changed
        assert migrate.upgrade(engine) == migrate.head_revision()
        with engine.connect() as conn:
            claimed = conn.execute(
                sa.select(report_codes.c.content_sha256, report_codes.c.verification_code)
            ).all()
        assert sorted(claimed) == [("a" * 64, "K7M3PQ9XRT"), ("b" * 64, "H4N8WV2CZB")]
    finally:
        engine.dispose()
