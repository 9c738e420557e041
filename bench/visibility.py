"""Visibility benchmark: public reads on the stored decisions against the bare SQL of the same rows.

    python bench/visibility.py [--records N] [--repeat K] [--db PATH] [--json]

1. Builds a SQLite store with N penalties (default 1,000,000): the demo's fast path
   (``gongxin.demo.fast.write_penalty_csv``) writes a valid penalty CSV, ingested through
   ``gongxin.intake.pipeline.ingest`` (which stores each record's visibility decision), and the
   penalties' counterparts stored as subjects (the FTS5 trigram index filled by its triggers).
   A folder given with ``--db`` holding a finished build of the same size is reused.
2. Measures, K times each (p50/p95 in ms):
   - the 双公示 penalty column, page 1 and page 1,000 (20 a page), through the service function
     ``gongxin.records.latest.latest`` (stored-decision predicate, department join, masking),
     against the bare indexed query of the same page over sqlite3 (same WHERE, ORDER BY, OFFSET;
     no join, no masking). Its query plan is printed: it must use ``ix_records_public_list``;
   - subject search by a name fragment (``gongxin.subjects.search.search``: count, rank, page)
     against the bare FTS5 trigram MATCH of the same page;
   - the whole change feed of the dataset through ``exchange_view.read_changes`` (pages of
     10,000, a department with an unconditional dataset, audited) against a bare SELECT of the
     same rows (rows per second).
3. Prints each ratio: page and search p95 gongxin / bare (target ≤ 2), feed rows/s
   gongxin / bare (target ≥ 0.7). A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

PROVIDER = "市市场监督管理局"
READER = "市财政局"
MARKER = "built.json"
SIZE = 20
AS_OF = date(2026, 11, 22)
FRAGMENT = "生物科技"


def _build(folder: Path, rows: int) -> dict[str, Any]:
    from gongxin import logs
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import dialect, migrate
    from gongxin.db.engine import make_engine
    from gongxin.db.models import subjects
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.identity import departments
    from gongxin.intake.pipeline import ingest
    from gongxin.subjects.names import normalise_name

    logs.configure("WARNING")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gongxin.db"
    for stale in (db, folder / "gongxin.db-wal", folder / "gongxin.db-shm", folder / MARKER):
        stale.unlink(missing_ok=True)
    now = datetime(2026, 11, 22, 2, tzinfo=UTC)
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            departments.add(conn, PROVIDER, kind="provider", code=None, now=now)
            departments.add(conn, READER, kind="user", code=None, now=now)
        csv_path = folder / "penalties.csv"
        started = time.perf_counter()
        write_penalty_csv(csv_path, rows, seed=1, as_of=date(2026, 11, 1))
        summary = ingest(
            engine, load_catalog(), csv_path, dataset="penalty", provider=PROVIDER, as_of=now
        )
        ingested = time.perf_counter() - started
        csv_path.unlink()
        with engine.begin() as conn:
            stamp = dialect.timestamp_text(conn, now)
            found = conn.exec_driver_sql(
                "SELECT link_code, min(subject_name) FROM records WHERE link_kind = 'uscc' "
                "GROUP BY link_code"
            ).fetchall()
            dialect.bulk_insert(
                conn, subjects, ("uscc", "name", "name_norm", "created_at", "updated_at"),
                ((code, name, normalise_name(name), stamp, stamp) for code, name in found),
            )  # fmt: skip
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    built = {"rows": rows, "accepted": summary.accepted, "subjects": len(found)}
    built["build_s"] = ingested
    (folder / MARKER).write_text(json.dumps(built))
    return built


def _times(run: Callable[[], object], repeat: int) -> dict[str, float]:
    run()  # warm
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {"p50": statistics.median(took), "p95": took[max(0, round(0.95 * len(took)) - 1)]}


BARE_PAGE = (
    "SELECT id, subject_name, event_date, data FROM records WHERE dataset = 'penalty' "
    "AND event_date <= ? AND is_public = 1 AND (pub_from IS NULL OR pub_from <= ?) "
    "AND (pub_until IS NULL OR pub_until >= ?) ORDER BY event_date DESC, id DESC LIMIT ? OFFSET ?"
)
BARE_SEARCH = (
    "SELECT id, uscc, name FROM subjects WHERE id IN "
    "(SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?) ORDER BY id LIMIT ?"
)


def _pages(db: Path, repeat: int) -> dict[str, Any]:
    from gongxin.catalog.registry import load_catalog
    from gongxin.db.engine import make_engine
    from gongxin.records.latest import latest

    catalog = load_catalog()
    engine = make_engine(f"sqlite:///{db}")
    bare = sqlite3.connect(db)
    day = AS_OF.isoformat()
    out: dict[str, Any] = {
        "plan": [
            r[3] for r in bare.execute("EXPLAIN QUERY PLAN " + BARE_PAGE, (day,) * 3 + (SIZE, 0))
        ]
    }
    try:
        with engine.connect() as conn:
            for page in (1, 1000):
                got = latest(conn, catalog, "penalty", as_of=AS_OF, page=page, size=SIZE)
                want = bare.execute(BARE_PAGE, (day, day, day, SIZE, (page - 1) * SIZE)).fetchall()
                assert [e.record_id for e in got] == [r[0] for r in want], page
                gx = _times(
                    lambda p=page: latest(conn, catalog, "penalty", as_of=AS_OF, page=p, size=SIZE),
                    repeat,
                )
                base = _times(
                    lambda p=page: bare.execute(
                        BARE_PAGE, (day, day, day, SIZE, (p - 1) * SIZE)
                    ).fetchall(),
                    repeat,
                )
                out[f"page_{page}"] = {"rows": len(got), "gongxin": gx, "bare": base,
                                       "ratio_p95": gx["p95"] / base["p95"]}  # fmt: skip
    finally:
        bare.close()
        engine.dispose()
    return out


def _search(db: Path, repeat: int) -> dict[str, Any]:
    from gongxin.db.engine import make_engine
    from gongxin.subjects.names import normalise_name
    from gongxin.subjects.search import search

    engine = make_engine(f"sqlite:///{db}")
    bare = sqlite3.connect(db)
    phrase = '"' + normalise_name(FRAGMENT) + '"'
    try:
        with engine.connect() as conn:
            hits = search(conn, FRAGMENT, size=SIZE)
            gx = _times(lambda: search(conn, FRAGMENT, size=SIZE), repeat)
        base = _times(lambda: bare.execute(BARE_SEARCH, (phrase, SIZE)).fetchall(), repeat)
    finally:
        bare.close()
        engine.dispose()
    return {"total": hits.total, "gongxin": gx, "bare": base, "ratio_p95": gx["p95"] / base["p95"]}


def _feed(db: Path) -> dict[str, Any]:
    from gongxin.catalog.registry import load_catalog
    from gongxin.db.engine import make_engine
    from gongxin.exchange.exchange_view import Caller, read_changes
    from gongxin.identity import departments

    catalog = load_catalog()
    engine = make_engine(f"sqlite:///{db}")
    bare = sqlite3.connect(db)
    try:
        with engine.connect() as conn:
            caller = Caller(departments.get(conn, READER), "key:bench000")
        now = datetime(2026, 11, 22, 2, tzinfo=UTC)
        cursor, count = None, 0
        started = time.perf_counter()
        while True:
            with engine.begin() as conn:
                got = read_changes(
                    conn, catalog, caller, "penalty", cursor=cursor, limit=10_000, now=now
                )
            count += len(got.changes)
            cursor = got.next_cursor
            if not got.has_more:
                break
        feed_s = time.perf_counter() - started
        started = time.perf_counter()
        cur = bare.execute(
            "SELECT id, version, data FROM records WHERE dataset = 'penalty' ORDER BY id"
        )
        rows = 0
        while chunk := cur.fetchmany(10_000):
            rows += len(chunk)
        bare_s = time.perf_counter() - started
    finally:
        bare.close()
        engine.dispose()
    return {
        "feed": {"rows": count, "rows_per_s": count / feed_s},
        "bare": {"rows": rows, "rows_per_s": rows / bare_s},
        "ratio": (count / feed_s) / (rows / bare_s),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--db", type=Path, default=None, help="build folder (kept; reused)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = args.db or Path(tempfile.mkdtemp(prefix="gx-bench-visibility-"))
    try:
        marker = folder / MARKER
        built = json.loads(marker.read_text()) if marker.exists() else None
        if built is None or built.get("rows") != args.records:
            print(f"building {args.records:,} penalties in {folder} …", file=sys.stderr)
            built = _build(folder, args.records)
        db = folder / "gongxin.db"
        result = {"build": built, "pages": _pages(db, args.repeat)}
        result["search"] = _search(db, args.repeat)
        result["feed"] = _feed(db)
        if args.json:
            print(json.dumps(result, indent=2))
            return 0
        print(f"records: {args.records:,} (build {built.get('build_s', 0):.0f} s)")
        print("page query plan:", " / ".join(result["pages"]["plan"]))
        for page in (1, 1000):
            r = result["pages"][f"page_{page}"]
            print(
                f"penalty column page {page:>4}: gongxin p95 {r['gongxin']['p95']:.2f} ms, "
                f"bare p95 {r['bare']['p95']:.2f} ms, ratio {r['ratio_p95']:.2f} (≤ 2)"
            )
        s = result["search"]
        print(
            f"search “{FRAGMENT}” ({s['total']} matches): gongxin p95 "
            f"{s['gongxin']['p95']:.2f} ms, bare FTS p95 {s['bare']['p95']:.2f} ms, "
            f"ratio {s['ratio_p95']:.2f} (≤ 2)"
        )
        f = result["feed"]
        print(
            f"change feed: {f['feed']['rows']:,} changes at {f['feed']['rows_per_s']:,.0f} "
            f"rows/s, bare {f['bare']['rows_per_s']:,.0f} rows/s, ratio {f['ratio']:.2f} (≥ 0.7)"
        )
    finally:
        if args.db is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
