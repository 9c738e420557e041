"""Exchange benchmark: the change feed of a large penalty dataset against a bare SELECT.

    python bench/exchange.py [--rows N] [--page P] [--db PATH] [--json]

1. Builds a SQLite store with N penalties (default 1,000,000): the demo's fast path
   (``gongxin.demo.fast.write_penalty_csv``) writes a valid penalty CSV, ingested through
   ``gongxin.intake.pipeline.ingest``; migration 0007's triggers fill ``change_log`` on the
   way. A folder given with ``--db`` that already holds a finished build of the same size is
   reused, so repeated runs skip this step.
2. gongxin: the whole change feed pulled through the service function
   ``gongxin.exchange.exchange_view.read_changes`` (access check, cursor, one page query joining
   the records, the visibility gate for every change, the audit entry of every page), pages of P
   (default 10,000), as a department reading an unconditional dataset.
3. Baseline, in the same run: a bare ``SELECT id, version, data FROM records WHERE dataset =
   'penalty' ORDER BY id`` over sqlite3, fetched in the same page size, values left as text.

Prints rows per second of both and the ratio. A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

PROVIDER = "市市场监督管理局"
READER = "市财政局"
MARKER = "built.json"


def _build(folder: Path, rows: int) -> dict[str, Any]:
    from gongxin import logs
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.demo.load import ensure_assignments
    from gongxin.identity import departments
    from gongxin.intake.pipeline import ingest

    logs.configure("WARNING")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gongxin.db"
    for stale in (db, folder / "gongxin.db-wal", folder / "gongxin.db-shm", folder / MARKER):
        stale.unlink(missing_ok=True)
    now = datetime.now(UTC)
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            departments.add(conn, PROVIDER, kind="provider", code=None, now=now)
            departments.add(conn, READER, kind="user", code=None, now=now)
            ensure_assignments(conn, load_catalog(), now)  # its district bureaus' names
        csv_path = folder / "penalties.csv"
        started = time.perf_counter()
        write_penalty_csv(csv_path, rows, seed=1, as_of=date(2026, 11, 1))
        written = time.perf_counter() - started
        started = time.perf_counter()
        summary = ingest(
            engine, load_catalog(), csv_path, dataset="penalty", provider=PROVIDER, as_of=now
        )
        ingested = time.perf_counter() - started
        csv_path.unlink()
    finally:
        engine.dispose()
    built = {"rows": rows, "accepted": summary.accepted, "csv_s": written, "ingest_s": ingested}
    (folder / MARKER).write_text(json.dumps(built))
    return built


def _feed(db: Path, page: int) -> tuple[int, float, int]:
    from gongxin.catalog.registry import load_catalog
    from gongxin.db.engine import make_engine
    from gongxin.exchange.exchange_view import Caller, read_changes
    from gongxin.identity import departments

    catalog = load_catalog()
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            caller = Caller(departments.get(conn, READER), "key:bench000")
        now = datetime.now(UTC)
        cursor, count, pages = None, 0, 0
        started = time.perf_counter()
        while True:
            with engine.begin() as conn:
                got = read_changes(
                    conn, catalog, caller, "penalty", cursor=cursor, limit=page, now=now
                )
            count += len(got.changes)
            pages += 1
            cursor = got.next_cursor
            if not got.has_more:
                break
        return count, time.perf_counter() - started, pages
    finally:
        engine.dispose()


def _bare(db: Path, page: int) -> tuple[int, float]:
    conn = sqlite3.connect(db)
    try:
        started = time.perf_counter()
        cur = conn.execute(
            "SELECT id, version, data FROM records WHERE dataset = 'penalty' ORDER BY id"
        )
        count = 0
        while chunk := cur.fetchmany(page):
            count += len(chunk)
        return count, time.perf_counter() - started
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=None, help="build folder (kept; reused)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = args.db or Path(tempfile.mkdtemp(prefix="gx-bench-exchange-"))
    try:
        marker = folder / MARKER
        built = json.loads(marker.read_text()) if marker.exists() else None
        reused = built is not None and built.get("rows") == args.rows
        if not reused:
            print(f"building {args.rows:,} penalties in {folder} …", file=sys.stderr)
            built = _build(folder, args.rows)
        assert built is not None
        db = folder / "gongxin.db"
        _bare(db, args.page)  # warm the page cache for both
        bare_rows, bare_s = _bare(db, args.page)
        feed_rows, feed_s, pages = _feed(db, args.page)
        result = {
            "rows": args.rows,
            "reused_build": reused,
            "build": built,
            "page": args.page,
            "feed": {"rows": feed_rows, "seconds": feed_s, "rows_per_s": feed_rows / feed_s},
            "bare_select": {"rows": bare_rows, "seconds": bare_s, "rows_per_s": bare_rows / bare_s},
            "pages": pages,
        }
        result["ratio_bare_over_feed"] = (bare_rows / bare_s) / (feed_rows / feed_s)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print(f"records: {args.rows:,}  page: {args.page:,}  (build reused: {reused})")
            if not reused:
                print(
                    f"build: csv {built['csv_s']:.1f} s, ingest {built['ingest_s']:.1f} s "
                    f"({built['accepted']:,} accepted; triggers filled the change log)"
                )
            print(f"change feed (read_changes): {feed_rows:,} changes in {feed_s:.2f} s "
                  f"= {feed_rows / feed_s:,.0f} rows/s over {pages} pages")  # fmt: skip
            print(f"bare SELECT:                {bare_rows:,} rows in {bare_s:.2f} s "
                  f"= {bare_rows / bare_s:,.0f} rows/s")  # fmt: skip
            print(f"ratio bare / feed: {result['ratio_bare_over_feed']:.1f}x")
    finally:
        if args.db is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
