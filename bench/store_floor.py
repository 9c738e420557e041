"""Where the intake's store floor goes: the floor of ``bench/ingest.py`` (e), taken apart.

    python bench/store_floor.py [--rows N] [--store sqlite|postgresql] [--json]

1. Writes N penalty rows (as ``bench/ingest.py``) and ingests them into a fresh store with
   gongxin (a child process, as there): SQLite, or a temporary PostgreSQL server.
2. Baseline (c): the same file into the store with no indexes — SQLite: the csv module and one
   prepared INSERT; PostgreSQL: ``COPY`` into text columns — the bare load that the intake
   target (≥ 0.5 of it) is a ratio of.
3. The store floor, five times: what gongxin stored, copied into an empty gongxin schema
   (SQLite: ``INSERT … SELECT``; PostgreSQL: exported, then loaded by binary ``COPY``), first
   as it is, then without one more part each time (cumulative):
   the change log (its triggers on ``records``), the deciding-authority index (an expression
   index reading the record's JSON), ``records``' other secondary indexes, and the stored
   public view (``public_data`` copied as NULL). What is left is the table with its keys.
4. The bytes per record of the store gongxin wrote (SQLite's ``dbstat``; PostgreSQL's
   relation sizes), by table and index, and the average size of a record's data, its public
   view and its change-log body.

Each figure beside the bare load of the same run: the parts show how far any intake into
this schema is from the target (≥ 0.5 of the bare load), and what each part costs. A
measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CHANGE_LOG = ("trg_records_change_insert", "trg_records_change_update")
AUTHORITY = ("ix_records_authority",)


SIZES_PG = """
SELECT c.relname, coalesce(t.relname, c.relname), pg_total_relation_size(c.oid)
       - CASE WHEN c.relkind = 'r' THEN pg_indexes_size(c.oid) ELSE 0 END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
WHERE c.relkind IN ('r', 'i') ORDER BY 3 DESC
"""
AVERAGES_PG = (
    "SELECT avg(octet_length(CAST(data AS TEXT))), avg(octet_length(public_data)) FROM records",
    "SELECT avg(octet_length(body)) FROM change_log",
)


def _secondary_indexes(db: Path) -> tuple[str, ...]:
    """``records``' own indexes (not its keys) other than the authority index (SQLite)."""
    con = sqlite3.connect(db)
    try:
        found = con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' "
            "AND sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        con.close()
    return tuple(n for (n,) in found if n not in AUTHORITY)


def _bytes(db: Path, rows: int) -> dict[str, Any]:
    """Bytes per record of each table and index of ``db`` (those above 1 byte per record)."""
    con = sqlite3.connect(db)
    try:
        sizes = con.execute(
            "SELECT d.name, m.tbl_name, sum(d.pgsize) FROM dbstat d "
            "JOIN sqlite_master m ON m.name = d.name GROUP BY d.name ORDER BY 3 DESC"
        ).fetchall()
        record = con.execute(
            "SELECT avg(length(CAST(data AS BLOB))), avg(length(CAST(public_data AS BLOB))) "
            "FROM records"
        ).fetchone()  # bytes: SQLite's length() of text counts characters
        body = con.execute("SELECT avg(length(CAST(body AS BLOB))) FROM change_log").fetchone()
    finally:
        con.close()
    return _sizes(sizes, record, body, rows)


def _sizes(sizes: list[Any], record: Any, body: Any, rows: int) -> dict[str, Any]:
    total = sum(size for *_, size in sizes)
    return {
        "total": total / rows,
        "objects": [(name, table, size / rows) for name, table, size in sizes if size > rows],
        "data": record[0] or 0.0,
        "public_data": record[1] or 0.0,
        "change_body": body[0] or 0.0,
    }


def _sqlite(
    csv_path: Path, folder: Path, as_of: datetime, rows: int
) -> tuple[dict[str, Any], float, list[tuple[str, float]], dict[str, Any], float]:
    from bench.ingest import _run_gongxin, _run_sqlite_bare, _run_store_floor

    stored = folder / "gongxin.db"
    result, _ = _run_gongxin(csv_path, f"sqlite:///{stored}", as_of, "penalty")
    bare_s = _run_sqlite_bare(csv_path, folder / "bare.sqlite")
    floors = []
    for i, (label, without, blank) in enumerate(_steps(_secondary_indexes(stored))):
        seconds = _run_store_floor(stored, folder / f"floor{i}.sqlite", without, blank)
        (folder / f"floor{i}.sqlite").unlink()
        floors.append((label, seconds))
    bare_bytes = (folder / "bare.sqlite").stat().st_size / rows
    return result, bare_s, floors, _bytes(stored, rows), bare_bytes


def _postgresql(
    csv_path: Path, folder: Path, as_of: datetime, rows: int
) -> tuple[dict[str, Any], float, list[tuple[str, float]], dict[str, Any], float]:
    from bench.ingest import _postgres, _run_gongxin, _run_postgres_bare, _run_postgres_floor

    names = [f"gx_floor_{os.getpid()}_{what}" for what in ("intake", "bare", "floor")]
    with _postgres(None) as server:
        try:
            url = server.create_database(names[0])
            result, _ = _run_gongxin(csv_path, url, as_of, "penalty")
            bare_s = _run_postgres_bare(csv_path, server, names[1])
            with server.connect(names[1]) as con:
                bare_bytes = con.execute("SELECT pg_total_relation_size('t')").fetchone()[0]
            with server.connect(names[0]) as con:
                con.execute("VACUUM ANALYZE")  # the visibility map and free space counted
                sizes = con.execute(SIZES_PG).fetchall()
                averages = [con.execute(sql).fetchone() for sql in AVERAGES_PG]
                others = tuple(
                    n
                    for (n,) in con.execute(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'records' AND "
                        "indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY 1"
                    ).fetchall()
                    if n not in AUTHORITY
                )
            floors = []
            for label, without, blank in _steps(others):
                seconds = _run_postgres_floor(server, names[0], names[2], folder, without, blank)
                server.drop_database(names[2])
                floors.append((label, seconds))
        finally:
            for name in names:
                with contextlib.suppress(Exception):
                    server.drop_database(name)
    return result, bare_s, floors, _sizes(sizes, *averages, rows), bare_bytes / rows


def _steps(others: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The floors to measure: (label, indexes and triggers dropped, columns blanked)."""
    no_log = CHANGE_LOG
    return [
        ("the schema as it is (ingest.py's (e))", (), ()),
        ("  without the change log's triggers", no_log, ()),
        ("  … and the deciding-authority index", no_log + AUTHORITY, ()),
        (f"  … and records' other {len(others)} indexes", no_log + AUTHORITY + others, ()),
        ("  … and the stored public view", no_log + AUTHORITY + others, ("public_data",)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="penalty rows in the file")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script
    from gongxin.catalog.registry import get_catalog
    from gongxin.demo import write_penalty_csv

    get_catalog()
    as_of = datetime.now(UTC)
    folder = Path(tempfile.mkdtemp(prefix="gongxin-floor-"))
    try:
        csv_path = folder / "penalty.csv"
        write_penalty_csv(csv_path, args.rows, seed=1, as_of=as_of.date())
        measure = _sqlite if args.store == "sqlite" else _postgresql
        result, bare_s, floors, size, bare_bytes = measure(csv_path, folder, as_of, args.rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    rows, gx_s = args.rows, float(result["seconds"])
    store = "SQLite" if args.store == "sqlite" else "PostgreSQL"
    lines = [
        f"store floor, taken apart: {rows:,} penalty rows, {store}",
        f"  (c) bare load, no indexes              {bare_s:8.2f} s  {rows / bare_s:10,.0f} rows/s",
        f"  (b) gongxin ingest                     {gx_s:8.2f} s  {rows / gx_s:10,.0f} rows/s"
        f"   {bare_s / gx_s:.3f} of (c)",
        "  store floor: what gongxin stored, copied into an empty schema, no Python",
    ]
    before = None
    for label, seconds in floors:
        part = f"   (this part {before - seconds:6.2f} s)" if before is not None else ""
        lines.append(
            f"  {label:38s} {seconds:8.2f} s  {rows / seconds:10,.0f} rows/s"
            f"   {bare_s / seconds:.3f} of (c){part}"
        )
        before = seconds
    lines.append(
        f"  bytes per record: gongxin's store {size['total']:,.0f}, the bare table "
        f"{bare_bytes:,.0f}; a record's data {size['data']:,.0f} B, its public view "
        f"{size['public_data']:,.0f} B, its change-log body {size['change_body']:,.0f} B"
    )
    for name, table, per_record in size["objects"]:
        lines.append(f"    {name:40s} ({table}) {per_record:8,.0f} B/record")
    print("\n".join(lines))
    if args.json:
        print(
            json.dumps(
                {
                    "rows": rows,
                    "store": args.store,
                    "bare_s": round(bare_s, 3),
                    "gongxin_s": round(gx_s, 3),
                    "floors": [(label.strip(" …"), round(s, 3)) for label, s in floors],
                    "bytes": size,
                    "bare_bytes_per_record": round(bare_bytes),
                },
                ensure_ascii=False,
                default=float,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
