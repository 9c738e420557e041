"""Timeliness benchmark: the 双公示 timeliness page on a large store, against a bare SQL count.

    python bench/timeliness.py [--records N] [--departments D] [--db PATH] [--json]

1. Builds a SQLite store of N licences and penalties (default 1,000,000; 70 % licences) decided
   from 2022-01-01 to 2026-11-30, from D provider departments (default 20), each of which
   submits once a day: a record arrives with its department's submission 0–15 calendar days
   after its decision (so some are late), and the records of 2022 arrived with one 存量补录
   (back-load) submission per department in January 2023. The rows are written straight into
   the tables with sqlite3 (the schema from ``gongxin.db.migrate``, the change-log triggers
   included): intake's validation is not what is measured, and a million rows through it take
   minutes. A folder given with ``--db`` that holds a finished build of the same size is reused.
2. gongxin, as of 2026-11-30 (China): the service functions (``records.timeliness.timeliness``,
   the per-department aggregate, and ``late_records``, the first and the 50th page of late
   records) for this month, this year and all, and the page ``/shuanggongshi/timeliness``
   through a FastAPI TestClient — cold (its per-day cache emptied before each request) and
   cached (figures and late page from the per-day cache) — for this month (the page's
   default) and this year. ``--periods`` chooses among them.
3. Baseline, in the same run: a bare ``SELECT count(*)`` of the same period's licences and
   penalties over sqlite3 (the index on dataset and decision date).

Prints the median wall and CPU milliseconds of each and their ratios to the bare count of the
same period (CPU time is this process's own: SQLite runs in-process, so on a machine busy with
other work it is the figure that stays comparable). A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# run as a script (python bench/<name>.py): the repository's root, for bench.* and tests.*
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MARKER = "built.json"
SEED = 1
FIRST, LAST = date(2022, 1, 1), date(2026, 11, 30)  # decision dates
AS_OF = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # noon in Beijing, the last day
BACKLOAD_DAY = date(2023, 1, 5)
LICENCE_SHARE = 0.7
REPEAT = 5


def _stamp(day: date) -> str:
    """Noon in Beijing on ``day``, as SQLite's stored UTC text."""
    return f"{day.isoformat()} 04:00:00.000000"


def _submission_id(day: date, dept: int) -> str:
    return f"{day:%Y%m%d}-d{dept:02d}"


def _records(n: int, dept_ids: list[int], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    depts = len(dept_ids)
    span = (LAST - FIRST).days + 1
    created = _stamp(LAST)
    for i in range(1, n + 1):
        licence = rng.random() < LICENCE_SHARE
        dataset = "licence" if licence else "penalty"
        decided = FIRST + timedelta(days=rng.randrange(span))
        dept = rng.randrange(depts)
        if decided.year == 2022:
            submission = f"backload-d{dept:02d}"
        else:
            arrived = min(decided + timedelta(days=rng.choice((0, 1, 2, 3, 5, 8, 15))), LAST)
            submission = _submission_id(arrived, dept)
        number = f"京{'许' if licence else '罚'}〔{decided.year}〕{i}号"
        data = {("XK_WSH" if licence else "CF_WSH"): number,
                ("XK_JDRQ" if licence else "CF_JDRQ"): decided.isoformat()}  # fmt: skip
        key = hashlib.md5(str(i).encode()).hexdigest()
        yield (
            i, dataset, key, key, 1, f"测试主体{i}", decided.isoformat(), submission, i,
            json.dumps(data, ensure_ascii=False), created, created, dept_ids[dept],
        )  # fmt: skip


def _build(folder: Path, n: int, depts: int) -> dict[str, Any]:
    from gongxin import logs
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.identity import departments

    logs.configure("WARNING")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gongxin.db"
    for stale in (db, folder / "gongxin.db-wal", folder / "gongxin.db-shm", folder / MARKER):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(engine)
        print(f"  schema in {time.perf_counter() - started:.1f} s", flush=True)
        with engine.begin() as conn:
            for d in range(depts):
                departments.add(conn, f"测试提供部门{d:02d}", kind="provider", code=None, now=AS_OF)
    finally:
        engine.dispose()
    con = sqlite3.connect(db)
    try:
        ids = dict(con.execute("SELECT name, id FROM departments").fetchall())
        dept_id = [ids[f"测试提供部门{d:02d}"] for d in range(depts)]
        subs = [
            (_submission_id(FIRST + timedelta(days=k), d), FIRST + timedelta(days=k), d, 0)
            for k in range((LAST - FIRST).days + 1)
            for d in range(depts)
        ] + [(f"backload-d{d:02d}", BACKLOAD_DAY, d, 1) for d in range(depts)]
        con.executemany(
            "INSERT INTO submissions (id, dataset, department_id, file_name, file_sha256,"
            " file_size, format, layout, status, rows, accepted, updated, duplicates, rejected,"
            " unlinked, warnings, headers, unknown_columns, notes, received_at, received_on,"
            " backload) VALUES (?, 'penalty', ?, 'bench.csv', ?, 0, 'csv', 'current',"
            " 'complete', 0, 0, 0, 0, 0, 0, 0, '[]', '[]', '[]', ?, ?, ?)",
            [
                (sid, dept_id[d], sid.ljust(64, "0"), _stamp(day), day.isoformat(), b)
                for sid, day, d, b in subs
            ],
        )
        rows = _records(n, dept_id, random.Random(SEED))
        while chunk := [row for _, row in zip(range(50_000), rows, strict=False)]:
            con.executemany(
                "INSERT INTO records (id, dataset, dedupe_key, content_hash, version,"
                " subject_name, event_date, submission_id, row_no, data, created_at,"
                " updated_at, department_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                chunk,
            )
        con.commit()
        con.execute("ANALYZE")
    finally:
        con.close()
    built = {"records": n, "departments": depts, "submissions": len(subs),
             "build_s": time.perf_counter() - started}  # fmt: skip
    (folder / MARKER).write_text(json.dumps(built))
    return built


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``fn`` (CPU: this process's own time, which a
    machine shared with other work does not inflate; SQLite runs in-process)."""
    fn()  # warm: the process's working-day index, SQLite's page cache
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _measure(db: Path, periods: list[str]) -> dict[str, Any]:
    from tests.support.http import TestClient

    from gongxin import logs
    from gongxin.clock import local_date
    from gongxin.db.engine import make_engine
    from gongxin.db.platform_tables import report_cache
    from gongxin.records.timeliness import late_records, period_bounds, timeliness
    from gongxin.settings import Settings
    from gongxin.web import deps
    from gongxin.web.app import create_app

    logs.configure("WARNING")
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    bare = sqlite3.connect(db)
    as_of = local_date(AS_OF)
    out: dict[str, Any] = {}
    try:
        for period in periods:
            since, until = period_bounds(period, as_of)
            lo, hi = (since or date.min).isoformat(), (until or date.max).isoformat()

            def count(lo: str = lo, hi: str = hi) -> int:
                return int(bare.execute(
                    "SELECT count(*) FROM records WHERE dataset IN ('licence', 'penalty')"
                    " AND event_date BETWEEN ? AND ?", (lo, hi),
                ).fetchone()[0])  # fmt: skip

            def aggregate(since: date | None = since, until: date | None = until) -> object:
                with engine.connect() as conn:
                    return timeliness(conn, since=since, until=until)

            def page(n: int, since: date | None = since, until: date | None = until) -> object:
                with engine.connect() as conn:
                    return late_records(conn, since=since, until=until, page=n, size=50)

            out[period] = {
                "records": (count(), count()),
                "bare_count_ms": _median_ms(count),
                "aggregate_ms": _median_ms(aggregate),
                "late_page_1_ms": _median_ms(lambda: page(1)),
                "late_page_50_ms": _median_ms(lambda: page(50)),
            }
        app = create_app(Settings(database_url=url, var_dir=db.parent / "var"))
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app) as client:
            for period in [p for p in periods if p != "all"]:

                def get(period: str = period) -> None:
                    reply = client.get("/shuanggongshi/timeliness", params={"period": period})
                    assert reply.status_code == 200, reply.text[:500]

                def cold(get: Callable[[], None] = get) -> None:
                    with engine.begin() as conn:
                        conn.execute(report_cache.delete())
                    get()

                out[period]["http_cold_ms"] = _median_ms(cold)
                out[period]["http_cached_ms"] = _median_ms(get)
    finally:
        bare.close()
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--db", type=Path, help="folder for the store (kept, reused)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--periods", default="this-month,this-year,all",
        help="periods measured, comma-separated (the page is not timed for 'all')",
    )  # fmt: skip
    args = parser.parse_args(argv)
    folder = args.db or Path(tempfile.mkdtemp(prefix="gongxin-timeliness-"))
    try:
        marker = folder / MARKER
        built = json.loads(marker.read_text()) if marker.is_file() else None
        if (
            not built
            or built["records"] != args.records
            or built["departments"] != args.departments
        ):
            print(f"building {args.records:,} records in {folder} …", flush=True)
            built = _build(folder, args.records, args.departments)
            print(f"  built in {built['build_s']:.1f} s", flush=True)
        figures = _measure(folder / "gongxin.db", args.periods.split(","))
    finally:
        if args.db is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps({"built": built, "figures": figures}, indent=1))
        return 0
    print(f"store: {built['records']:,} records, {built['departments']} departments, "
          f"{built['submissions']:,} submissions; as of {AS_OF.date()} (China)")  # fmt: skip
    print("median of 5; wall ms / CPU ms, and the ratio of each to the bare count's")
    for period, f in figures.items():
        wall, cpu = f["bare_count_ms"]
        print(f"\n{period}: {f['records'][0]:,} records decided; "
              f"bare count {wall:.1f} / {cpu:.1f} ms")  # fmt: skip
        for key in ("aggregate_ms", "late_page_1_ms", "late_page_50_ms", "http_cold_ms",
                    "http_cached_ms"):  # fmt: skip
            if key in f:
                w, c = f[key]
                print(f"  {key[:-3]:<16} {w:9.1f} / {c:8.1f} ms"
                      f"   ×{w / max(wall, 0.01):7.1f} / ×{c / max(cpu, 0.01):7.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
