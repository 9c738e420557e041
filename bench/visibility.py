"""Visibility benchmark: public reads on the stored decisions against the bare SQL of the same rows.

    python bench/visibility.py [--records N] [--subjects M] [--repeat K] [--db DIR]
                               [--db-url postgresql+psycopg://…] [--json]

1. Builds a store (SQLite in DIR, or the PostgreSQL database of ``--db-url``, emptied first)
   with N penalties (default 1,000,000): the demo's fast path
   (``gongxin.demo.fast.write_penalty_csv``) writes a valid penalty CSV, its district bureaus
   are assigned to the provider, and it is ingested through ``gongxin.intake.pipeline.ingest``
   (which stores each record's visibility decision); the register gets the penalties'
   counterparts and further generated companies and shops up to M subjects (default N). A
   build of the same size noted in DIR (``built-sqlite.json`` / ``built-postgresql.json``) is
   reused. Before measuring, the store is migrated to the newest schema and the expiry job of
   ``gongxin worker`` is run once for the bench day (its expiries are counted and timed), so
   that the feed's own catch-up finds nothing due, as on any day after the job ran.
2. Measures, K times each (p50/p95 in ms, wall clock and this process's CPU time; a page or a
   search and its bare query called in turn, so that the load's swings fall on both alike):
   - the 双公示 penalty column, page 1 and page 1,000 (20 a page), through
     ``gongxin.records.latest.latest_page`` (stored-decision predicate, department join, one
     row more to know whether a next page exists, each record's public view as stored with it:
     masked when written, not parsed), then serialised as the API answers it
     (``latest.page_json``),
     against the bare indexed query of the same page on the driver's own cursor (same WHERE,
     ORDER BY, LIMIT, OFFSET; data as JSON text; no join, no parsing, no masking). Its query
     plan is printed: it must use ``ix_records_public_list``;
   - subject search by a name fragment (``gongxin.subjects.search.search``: names equal to
     the query first, then the page in registration order and one match more to tell whether
     there are more, ranking when the set is small, masking) against the bare trigram query of
     the same page and columns (SQLite: the FTS5 MATCH as an ``id IN (…)`` filter;
     PostgreSQL: LIKE on pg_trgm);
   - the whole change feed of the dataset through ``exchange_view.read_changes`` (pages of
     10,000, a department reading an unconditional dataset, audited) and serialised as the API
     answers it, against bare keyset pages of 10,000 of (a) the dataset's records, (b) the
     change log's rows with the data stored with each and (c) the change log's rows joined to
     their records' data (rows per second); each of them is read once untimed first, so
     that none pays alone for the store's pages coming from disk.
3. Prints each figure beside its bare baseline and the ratio: page and search p95 gongxin /
   bare (target ≤ 2), feed rows/s gongxin / bare (target ≥ 0.7). A measurement, not a test:
   it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

PROVIDER = "市市场监督管理局"
READER = "市财政局"
MARKER = "built.json"
SIZE = 20
AS_OF = date(2026, 11, 22)
FRAGMENT = "生物科技"


def _store_url(folder: Path, url: str | None) -> str:
    return url or f"sqlite:///{folder / 'gongxin.db'}"


def _marker(folder: Path, url: str) -> Path:
    """The build's note: which store, how many rows; a folder may hold a SQLite and a PG note."""
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    return folder / f"built-{kind}.json"


def _wipe(url: str, folder: Path) -> None:
    if url.startswith("sqlite"):
        db = folder / "gongxin.db"
        for stale in (db, folder / "gongxin.db-wal", folder / "gongxin.db-shm"):
            stale.unlink(missing_ok=True)
        return
    import sqlalchemy as sa

    from gongxin.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _more_subjects(count: int, seed: int) -> Iterator[tuple[str, str, str]]:
    """``count`` further subjects (no USCC: a 15-digit registration number, a company or shop
    name drawn like the demo's), so that the register holds as many subjects as asked."""
    from gongxin.demo import names
    from gongxin.demo.regions import REGIONS
    from gongxin.subjects.names import normalise_name

    rng = random.Random(seed)
    trades = [a + b for a in names.TRADE for b in names.TRADE if a != b]
    industries = [w for w, _ in names.INDUSTRIES]
    shops = [w for w, _ in names.SHOPS]
    suffixes = ("有限公司", "有限公司", "有限责任公司", "股份有限公司")
    for n in range(count):
        region = rng.choice(REGIONS)
        if rng.random() < 0.85:
            place = region.city.removesuffix("市")
            name = f"{place}{rng.choice(trades)}{rng.choice(industries)}{rng.choice(suffixes)}"
        else:
            name = f"{region.prefix}{rng.choice(trades)}{rng.choice(shops)}"
        yield f"9{n:014d}", name, normalise_name(name)


def _authorities(csv_path: Path) -> set[str]:
    """The deciding authorities named in the penalty CSV (处罚机关)."""
    from gongxin.catalog.registry import load_catalog

    header = load_catalog().get("penalty").field("CF_CFJG").name
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        at = next(reader).index(header)
        return {row[at] for row in reader}


def _build(folder: Path, url: str, rows: int, subject_count: int) -> dict[str, Any]:
    from gongxin import logs
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import dialect, migrate
    from gongxin.db.engine import make_engine
    from gongxin.db.models import subjects
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.identity import authorities, departments
    from gongxin.intake.pipeline import ingest
    from gongxin.subjects.names import normalise_name

    logs.configure("WARNING")
    folder.mkdir(parents=True, exist_ok=True)
    marker = _marker(folder, url)
    marker.unlink(missing_ok=True)
    _wipe(url, folder)
    now = datetime(2026, 11, 22, 2, tzinfo=UTC)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            departments.add(conn, PROVIDER, kind="provider", code=None, now=now)
            departments.add(conn, READER, kind="user", code=None, now=now)
        csv_path = folder / "penalties.csv"
        started = time.perf_counter()
        write_penalty_csv(csv_path, rows, seed=1, as_of=date(2026, 11, 1))
        with engine.begin() as conn:  # the district bureaus the provider files for
            authorities.add(conn, PROVIDER, sorted(_authorities(csv_path)), now=now)
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
            more = max(0, subject_count - len(found))
            dialect.bulk_insert(
                conn, subjects, ("reg_no", "name", "name_norm", "created_at", "updated_at"),
                ((reg, name, norm, stamp, stamp) for reg, name, norm in _more_subjects(more, 2)),
            )  # fmt: skip
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    built = {"rows": rows, "accepted": summary.accepted, "subjects": len(found) + more}
    built["build_s"] = time.perf_counter() - started
    built["ingest_s"] = ingested
    marker.write_text(json.dumps(built))
    return built


def _paired(
    gongxin: Callable[[], object], bare: Callable[[], object], repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """:func:`_times` of both, their calls taken in turn (gongxin, bare, gongxin, …): on a
    shared machine whose load swings, each spell of load falls on both alike."""
    gongxin(), bare()  # warm
    took: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for n, run in enumerate((gongxin, bare)):
            started, used = time.perf_counter(), time.process_time()
            run()
            took[n].append((time.perf_counter() - started) * 1000)
            cpu[n].append((time.process_time() - used) * 1000)
    return _stats(took[0], cpu[0]), _stats(took[1], cpu[1])


def _stats(took: list[float], cpu: list[float]) -> dict[str, float]:
    took.sort()
    cpu.sort()
    at = max(0, round(0.95 * len(took)) - 1)
    return {"p50": statistics.median(took), "p95": took[at], "cpu_p50": statistics.median(cpu),
            "cpu_p95": cpu[at]}  # fmt: skip


def _bare(engine: Any) -> Any:
    """A driver connection of its own (sqlite3 or psycopg), outside SQLAlchemy."""
    raw = engine.raw_connection()
    return raw, raw.driver_connection


def _sql(text: str, sqlite: bool) -> str:
    return text if sqlite else text.replace("?", "%s").replace("= 1", "= true")


# The bare queries: the same rows as the service's, by hand, on the driver's cursor; the data
# column read as JSON text on both stores (no JSON parsing by the driver)
BARE_PAGE = (
    "SELECT id, subject_name, event_date, CAST(data AS TEXT) FROM records "
    "WHERE dataset = 'penalty' AND event_date <= ? AND is_public = 1 "
    "AND (pub_from IS NULL OR pub_from <= ?) AND (pub_until IS NULL OR pub_until >= ?) "
    "ORDER BY event_date DESC, id DESC LIMIT ? OFFSET ?"
)
# the columns a search answers with (the page shows them; the operator's name is masked)
HIT_COLUMNS = "id, uscc, reg_no, name, entity_type, region, legal_rep, reg_status"
BARE_SEARCH_SQLITE = (
    f"SELECT {HIT_COLUMNS} FROM subjects WHERE id IN "
    "(SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?) ORDER BY id LIMIT ?"
)
BARE_SEARCH_PG = f"SELECT {HIT_COLUMNS} FROM subjects WHERE name_norm LIKE %s ORDER BY id LIMIT %s"
BARE_FEED = (
    "SELECT id, version, CAST(data AS TEXT) FROM records WHERE dataset = 'penalty' AND id > ? "
    "ORDER BY id LIMIT ?"
)
# the feed's own rows by hand, the same keyset pages: each change with the data stored with it
# (migration 0023), and, for comparison, each change joined to its record's data (how the feed
# read before it stored the data)
BARE_LOG = (
    "SELECT seq, op, version, payload FROM change_log WHERE dataset = 'penalty' AND seq > ? "
    "ORDER BY seq LIMIT ?"
)
BARE_JOIN = (
    "SELECT c.seq, c.op, c.version, CAST(r.data AS TEXT) FROM change_log c "
    "LEFT JOIN records r ON r.id = c.record_id WHERE c.dataset = 'penalty' AND c.seq > ? "
    "ORDER BY c.seq LIMIT ?"
)
FEED_PAGE = 10_000


def _run(dbapi: Any, sql: str, params: tuple[Any, ...]) -> list[Any]:
    cur = dbapi.cursor()
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _plan(dbapi: Any, sql: str, params: tuple[Any, ...], sqlite: bool) -> list[str]:
    rows = _run(dbapi, ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql, params)
    return [str(r[3] if sqlite else r[0]).strip() for r in rows]


def _pages(engine: Any, repeat: int) -> dict[str, Any]:
    from gongxin.catalog.registry import load_catalog
    from gongxin.records.latest import latest_page, page_json

    catalog = load_catalog()
    raw, bare = _bare(engine)
    sqlite = engine.dialect.name == "sqlite"
    sql = _sql(BARE_PAGE, sqlite)
    day: Any = AS_OF.isoformat() if sqlite else AS_OF
    out: dict[str, Any] = {
        "bare_sql": sql,
        "plan": _plan(bare, sql, (day,) * 3 + (SIZE, 0), sqlite),
    }
    try:
        with engine.connect() as conn:
            for page in (1, 1000):
                got = latest_page(conn, catalog, "penalty", as_of=AS_OF, page=page, size=SIZE)
                want = _run(bare, sql, (day, day, day, SIZE, (page - 1) * SIZE))
                assert [e.record_id for e in got.entries] == [r[0] for r in want], page
                assert got.more or page > 1, page
                gx, base = _paired(
                    lambda p=page: page_json(
                        AS_OF, p, SIZE,
                        latest_page(conn, catalog, "penalty", as_of=AS_OF, page=p, size=SIZE)
                        .entries,
                    ),
                    lambda p=page: _run(bare, sql, (day, day, day, SIZE, (p - 1) * SIZE)),
                    repeat,
                )  # fmt: skip
                out[f"page_{page}"] = {"rows": len(got.entries), "gongxin": gx, "bare": base,
                                       "ratio_p95": gx["p95"] / base["p95"]}  # fmt: skip
    finally:
        raw.close()
    return out


def _search(engine: Any, repeat: int) -> dict[str, Any]:
    from gongxin.subjects.names import normalise_name
    from gongxin.subjects.search import search

    raw, bare = _bare(engine)
    sqlite = engine.dialect.name == "sqlite"
    key = normalise_name(FRAGMENT)
    sql, phrase = (BARE_SEARCH_SQLITE, '"' + key + '"') if sqlite else (BARE_SEARCH_PG, f"%{key}%")
    try:
        with engine.connect() as conn:
            hits = search(conn, FRAGMENT, size=SIZE)
            assert len(hits.hits) == SIZE
            gx, base = _paired(
                lambda: search(conn, FRAGMENT, size=SIZE),
                lambda: _run(bare, sql, (phrase, SIZE)),
                repeat,
            )
    finally:
        raw.close()
    return {"total": hits.total, "capped": hits.capped, "bare_sql": sql, "gongxin": gx,
            "bare": base, "ratio_p95": gx["p95"] / base["p95"]}  # fmt: skip


def _feed(engine: Any) -> dict[str, Any]:
    """The whole feed through the service and serialised as the API answers it, then the bare
    keyset pages of the same records."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.exchange import changefeed
    from gongxin.exchange.exchange_view import Caller, read_changes
    from gongxin.identity import departments

    catalog = load_catalog()
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 22, 2, tzinfo=UTC)
    with engine.connect() as conn:
        caller = Caller(departments.get(conn, READER), "key:bench000")

    def whole_feed() -> tuple[int, int]:
        cursor, count, size = None, 0, 0
        while True:
            with engine.begin() as conn:
                got = read_changes(
                    conn, catalog, caller, "penalty", cursor=cursor, limit=FEED_PAGE, now=now
                )
            size += len(changefeed.page_json("penalty", got))
            count += len(got.items)  # each change as the API sends it (not parsed again)
            cursor = got.next_cursor
            if not got.has_more:
                return count, size

    def bare_pages(sql: str) -> int:
        rows, after = 0, 0
        while chunk := _run(bare, sql, (after, FEED_PAGE)):
            rows += len(chunk)
            after = chunk[-1][0]
        return rows

    raw, bare = _bare(engine)
    queries = (
        ("bare", _sql(BARE_FEED, sqlite)),
        ("bare_log", _sql(BARE_LOG, sqlite)),
        ("bare_join", _sql(BARE_JOIN, sqlite)),
    )
    # every path read once untimed first: whichever ran first would otherwise pay for reading
    # the store's pages from disk (after a test run or a build the OS cache holds other files)
    whole_feed()
    for _, sql in queries:
        bare_pages(sql)
    started, used = time.perf_counter(), time.process_time()
    count, size = whole_feed()
    feed_s, feed_cpu = time.perf_counter() - started, time.process_time() - used
    out: dict[str, Any] = {"feed": {"rows": count, "rows_per_s": count / feed_s,
                                    "cpu_rows_per_s": count / feed_cpu,
                                    "json_mb": size / 1e6}}  # fmt: skip
    try:
        for name, sql in queries:
            started, used = time.perf_counter(), time.process_time()
            rows = bare_pages(sql)
            bare_s, bare_cpu = time.perf_counter() - started, time.process_time() - used
            out[name] = {"rows": rows, "rows_per_s": rows / bare_s, "sql": sql,
                         "ratio": (count / feed_s) / (rows / bare_s),
                         "cpu_ratio": (count / feed_cpu) / (rows / bare_cpu)}  # fmt: skip
    finally:
        raw.close()
    out["ratio"] = out["bare"]["ratio"]
    return out


def _ready(folder: Path, url: str, rows: int, subject_count: int) -> dict[str, Any]:
    """The store of this size, built once and reused: migrated to the newest schema, and the
    change feed's expiries due on the bench day appended once (what ``gongxin worker``'s
    expiry job does), so that a feed read finds nothing due."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.exchange import expiry

    marker = _marker(folder, url)
    built = json.loads(marker.read_text()) if marker.exists() else None
    if built is None or (built.get("rows"), built.get("subjects")) != (rows, subject_count):
        print(f"building {rows:,} penalties, {subject_count:,} subjects …", file=sys.stderr)
        built = _build(folder, url, rows, subject_count)
    engine = make_engine(url)
    try:
        before = migrate.current_revision(engine)
        if migrate.upgrade(engine) != before:  # new indexes get their statistics, as at build
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        if built.get("swept") != AS_OF.isoformat():
            started = time.perf_counter()
            now = datetime(2026, 11, 22, 2, tzinfo=UTC)
            with engine.begin() as conn:
                expired = expiry.sweep(conn, load_catalog(), now=now, as_of=AS_OF)
            built |= {"swept": AS_OF.isoformat(), "sweep_s": time.perf_counter() - started,
                      "expired": sum(expired.values())}  # fmt: skip
            marker.write_text(json.dumps(built))
    finally:
        engine.dispose()
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=None, help="default: as many as records")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--db", type=Path, default=None, help="build folder (kept; reused)")
    parser.add_argument("--db-url", default=None, help="a PostgreSQL database (emptied to build)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from gongxin import logs
    from gongxin.db.engine import make_engine

    logs.configure("WARNING")
    folder = args.db or Path(tempfile.mkdtemp(prefix="gx-bench-visibility-"))
    subject_count = args.subjects or args.records
    url = _store_url(folder, args.db_url)
    try:
        built = _ready(folder, url, args.records, subject_count)
        engine = make_engine(url)
        try:
            result = {"store": engine.dialect.name, "build": built,
                      "pages": _pages(engine, args.repeat)}  # fmt: skip
            result["search"] = _search(engine, args.repeat)
            result["feed"] = _feed(engine)
        finally:
            engine.dispose()
        if args.json:
            print(json.dumps(result, indent=2, default=str))
            return 0
        _report(result, args)
    finally:
        if args.db is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _report(result: dict[str, Any], args: argparse.Namespace) -> None:
    built = result["build"]
    sqlite = result["store"] == "sqlite"
    print(
        f"store: {result['store']}; {built['rows']:,} penalties, {built['subjects']:,} subjects "
        f"(build {built.get('build_s', 0):.0f} s; expiry job once: {built.get('expired', 0):,} "
        f"expiries in {built.get('sweep_s', 0):.0f} s); {args.repeat} runs each, p95"
    )
    pages = result["pages"]
    print(
        "page: gongxin.records.latest.latest_page (page + whether a next one exists, the "
        "stored public views) and page_json (the API's answer, bytes)"
    )
    print(f"  bare: {pages['bare_sql']}")
    print("  plan:", " / ".join(pages["plan"]))
    for page in (1, 1000):
        r = pages[f"page_{page}"]
        print(
            f"  page {page:>4}: gongxin {r['gongxin']['p95']:.3f} ms, bare "
            f"{r['bare']['p95']:.3f} ms, ratio {r['ratio_p95']:.2f} (target ≤ 2)" + _cpu(r, sqlite)
        )
    s = result["search"]
    shown = f"{s['total']:,}{'+' if s['capped'] else ''}"
    print(
        f"search “{FRAGMENT}” ({shown} matches): gongxin.subjects.search.search "
        "(exact names, page, one more)"
    )
    print(f"  bare: {s['bare_sql']}")
    print(
        f"  gongxin {s['gongxin']['p95']:.2f} ms, bare {s['bare']['p95']:.2f} ms, "
        f"ratio {s['ratio_p95']:.2f} (target ≤ 2)" + _cpu(s, sqlite)
    )
    f = result["feed"]
    print(
        f"change feed: read_changes, pages of {FEED_PAGE:,}, as API JSON "
        f"({f['feed']['json_mb']:.0f} MB)"
    )
    print(
        f"  {f['feed']['rows']:,} changes at {f['feed']['rows_per_s']:,.0f}/s"
        + (f" (CPU: {f['feed']['cpu_rows_per_s']:,.0f}/s)" if sqlite else "")
    )
    for name, what in (
        ("bare", "the records"),
        ("bare_log", "the change log's rows (data stored with each)"),
        ("bare_join", "the change log's rows joined to their records' data"),
    ):
        b = f[name]
        print(f"  bare, {what}: {b['sql']} (keyset pages of {FEED_PAGE:,})")
        print(
            f"    {b['rows']:,} rows at {b['rows_per_s']:,.0f}/s; ratio {b['ratio']:.2f}"
            + (" (target ≥ 0.7)" if name != "bare_join" else "")
            + (f"; CPU ratio {b['cpu_ratio']:.2f}" if sqlite else "")
        )


def _cpu(r: dict[str, Any], sqlite: bool) -> str:
    """The p50 ratio; client CPU p95 and its ratio (SQLite only: the database works in this
    process)."""
    median = f"; p50 {r['gongxin']['p50']:.3f} / {r['bare']['p50']:.3f} ms = " + (
        f"{r['gongxin']['p50'] / r['bare']['p50']:.2f}"
    )
    if not sqlite or r["bare"]["cpu_p95"] <= 0:
        return median
    gx, base = r["gongxin"]["cpu_p95"], r["bare"]["cpu_p95"]
    return median + f"; CPU p95 {gx:.3f} / {base:.3f} ms = {gx / base:.2f}"


if __name__ == "__main__":
    sys.exit(main())
