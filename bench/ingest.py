"""Intake benchmark: gongxin's ingest of a penalty or registration file against bare loads.

    python bench/ingest.py [--dataset penalty|registration] [--rows N] [--keep] [--json]

1. Writes N valid rows into a temporary folder (UTF-8 CSV): penalty rows in the current
   national 双公示 layout with the demo's fast path, or registration rows (登记信息, with
   investors and change history) from bench/registration_file.py.
2. Baseline: DuckDB loads the same file into a table of an on-disk database, every column as
   text (``CREATE TABLE t AS SELECT * FROM read_csv(..., all_varchar=true, header=true)``).
3. gongxin: a fresh SQLite database in the same folder, one provider department, then
   ``ingest(...)`` of the file — run in a child process (spawned, so it inherits nothing), so its
   peak RSS can be measured on its own and DuckDB's memory does not count.

4. A second baseline, the storage floor: the same file into SQLite with nothing but the csv
   module and one prepared INSERT (no validation, no keys, no indexes).
   (PostgreSQL: ``COPY`` of the file into text columns.) And the store's own floor (e): what
   gongxin stored, copied into an empty gongxin schema (SQLite: ``INSERT … SELECT``;
   PostgreSQL: exported, then loaded by binary ``COPY``; its indexes and triggers, no Python):
   no intake into that schema can beat it, so (e)/(c) bounds the ratio gongxin/(c) that any
   intake code can reach. ``bench/store_floor.py`` takes (e) apart.
5. A peer doing the validation alone: Frictionless (what CKAN's validation extension runs)
   ``validate`` of the same file with a Table Schema carrying the same types, patterns,
   lengths, value lists and required fields as the catalog's dataset (``--no-peer``
   skips it). Frictionless only validates: it stores nothing.
6. gongxin's own side of that work, (f): the file read and every row checked as intake does
   them, nothing keyed, linked or stored (``bench/intake_peer.py``), so that validating and
   storing can each be held against their own baseline.

Reports rows/s of all of them, gongxin's peak RSS and the submission's counts (every row must be
accepted), then PASS/FAIL against the targets of issue 17 (≥ 0.5 of the bare load into the
same store, ≥ 2× Frictionless, peak RSS ≤ 1 GiB). It is a measurement, not a test: it exits 0
either way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5  # of the bare load into the same store
TARGET_PEER = 2.0  # × Frictionless's validate
TARGET_RSS_MIB = 1024
CPU: dict[str, float] = {}  # CPU seconds of the runs measured in this process (bare, peer)
PROVIDER = "市市场监督管理局"


def _gongxin(
    csv_path: str, db_url: str, as_of: str, dataset: str, batch_rows: int, out: Connection
) -> None:
    """The child process: schema, one department, then the timed ingest."""
    from gongxin import logs
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.demo.agencies import SAMR
    from gongxin.demo.load import ensure_assignments
    from gongxin.identity import departments
    from gongxin.intake.pipeline import ingest

    logs.configure("WARNING")  # the figures, not the progress log
    moment = datetime.fromisoformat(as_of)
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, PROVIDER, kind="provider", code=SAMR.code, now=moment)
        ensure_assignments(conn, load_catalog(), moment)  # its district bureaus' names
    catalog = load_catalog()
    started, cpu = time.perf_counter(), time.process_time()
    summary = ingest(
        engine, catalog, Path(csv_path), dataset=dataset, provider=PROVIDER, as_of=moment,
        batch_rows=batch_rows,
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    out.send(
        {
            "seconds": seconds,
            "cpu": cpu,
            "summary": summary.to_dict(),
            "peak_kib": _high_water_kib(),
        }
    )
    out.close()


def _default_batch_rows() -> int:
    """The platform's rows per intake batch (the setting ``GONGXIN_INTAKE_BATCH_ROWS``)."""
    from gongxin.settings import Settings

    return int(Settings.model_fields["intake_batch_rows"].default)


def _high_water_kib() -> int:
    """This process's peak RSS (VmHWM). Unlike ``ru_maxrss`` it starts afresh at exec, so it
    does not count the parent's pages that a spawned child shares for an instant before it
    execs (after DuckDB's load those are hundreds of MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _run_gongxin(
    csv_path: Path, db_url: str, as_of: datetime, dataset: str, batch_rows: int | None = None
) -> tuple[dict[str, Any], float]:
    """Run the child; returns its result and its peak RSS in MiB. ``batch_rows`` by default
    as the platform's (the setting ``GONGXIN_INTAKE_BATCH_ROWS``'s default)."""
    rows = batch_rows or _default_batch_rows()
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_gongxin, args=(str(csv_path), db_url, as_of.isoformat(), dataset, rows, send)
    )
    child.start()
    send.close()
    result: dict[str, Any] = receive.recv()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"gongxin child failed with exit code {child.exitcode}")
    return result, int(result["peak_kib"]) / 1024


def _run_duckdb(csv_path: Path, db_path: Path) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        source = str(csv_path).replace("'", "''")
        started = time.perf_counter()
        con.execute(
            f"CREATE TABLE t AS SELECT * FROM read_csv('{source}', all_varchar=true, header=true)"
        )
        seconds = time.perf_counter() - started
        row = con.execute("SELECT count(*) FROM t").fetchone()
        count = int(row[0]) if row else 0
    finally:
        con.close()
    return seconds, count


def _run_sqlite_bare(csv_path: Path, db_path: Path) -> float:
    """The storage floor: the same file into SQLite with no validation, keys or indexes — the
    csv module feeding one INSERT per row, in one transaction, with gongxin's pragmas."""
    import csv
    import sqlite3

    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
            con.execute(f"PRAGMA {pragma}")
        started, cpu = time.perf_counter(), time.process_time()
        with csv_path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
            marks = ", ".join("?" for _ in header)
            con.execute(f"CREATE TABLE t ({columns})")
            con.execute("BEGIN")
            con.executemany(f"INSERT INTO t VALUES ({marks})", reader)
            con.execute("COMMIT")
        CPU["bare"] = time.process_time() - cpu
        return time.perf_counter() - started
    finally:
        con.close()


# What intake stores, beside the submission's own row (departments, catalog settings, the change
# log and the full-text index are left out: the triggers of the schema fill the last two).
STORED_TABLES = ("subjects", "subject_parties", "subject_changes", "records", "record_links",
                 "row_warnings", "rejects")  # fmt: skip


@contextlib.contextmanager
def _postgres(db_url: str | None) -> Iterator[Any]:
    """A PostgreSQL server: ``db_url``'s, or a temporary one started as the tests start theirs."""
    from tests.support.pgserver import ExistingPostgres, TemporaryPostgres

    if db_url:
        yield ExistingPostgres(db_url)
        return
    server = TemporaryPostgres()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _run_postgres_bare(csv_path: Path, server: Any, name: str) -> float:
    """PostgreSQL's bare load: the file into a table of text columns with ``COPY … FROM STDIN
    (FORMAT csv, HEADER)`` through psycopg, in one transaction (no validation, keys or
    indexes)."""
    import csv

    server.create_database(name)
    with csv_path.open(encoding="utf-8", newline="") as fh:
        width = len(next(csv.reader(fh)))
    with server.connect(name, autocommit=False) as con, con.cursor() as cur:
        cur.execute(f"CREATE TABLE t ({', '.join(f'c{i} text' for i in range(width))})")
        con.commit()
        started = time.perf_counter()
        with (
            cur.copy("COPY t FROM STDIN (FORMAT csv, HEADER true)") as copy,
            csv_path.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        con.commit()
        return time.perf_counter() - started


def _columns(con: Any, table: str) -> str:
    names = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return ", ".join(f'"{n}"' for (n,) in names)


def _pg_type(con: Any, table: str, column: str) -> str:
    found = con.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attname = %s",
        (table, column.strip('"')),
    ).fetchone()
    return str(found[0])


def _run_postgres_floor(
    server: Any,
    source: str,
    name: str,
    folder: Path,
    without: tuple[str, ...] = (),
    blank: tuple[str, ...] = (),
) -> float:
    """PostgreSQL's store floor: what gongxin stored in database ``source``, loaded by ``COPY …
    FROM STDIN (FORMAT binary)`` into an empty gongxin schema (database ``name``) with its
    indexes and the change log's triggers, in one transaction — no Python between the rows.
    The rows are exported to files first (not timed); the departments and submissions they
    refer to are copied before the clock starts. ``without`` and ``blank`` as for SQLite's
    floor."""
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine

    engine = make_engine(server.create_database(name))
    migrate.upgrade(engine)
    engine.dispose()
    exported: list[tuple[str, str, Path]] = []
    with server.connect(source) as src, src.cursor() as cur:
        for table in ("departments", "submissions", *STORED_TABLES):
            cols = _columns(src, table)
            picked = ", ".join(
                f"NULL::{_pg_type(src, table, c)}" if table == "records" and c.strip('"') in blank
                else c
                for c in cols.split(", ")
            )  # fmt: skip
            path = folder / f"floor-{table}.bin"
            select = f'SELECT {picked} FROM "{table}"'
            with (
                cur.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as out,
                path.open("wb") as fh,
            ):
                for chunk in out:
                    fh.write(chunk)
            exported.append((table, cols, path))

    def load(cur: Any, table: str, cols: str, path: Path) -> None:
        with (
            cur.copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT binary)') as copy,
            path.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)

    with server.connect(name, autocommit=False) as dst, dst.cursor() as cur:
        cur.execute("DELETE FROM departments")  # those the migrations seed come back below
        for table, cols, path in exported[:2]:
            load(cur, table, cols, path)
        for item in without:
            what = "TRIGGER" if item.startswith("trg_") else "INDEX"
            cur.execute(f'DROP {what} "{item}"' + (" ON records" if what == "TRIGGER" else ""))
        dst.commit()
        started = time.perf_counter()
        for table, cols, path in exported[2:]:
            load(cur, table, cols, path)
        dst.commit()
        seconds = time.perf_counter() - started
    for *_, path in exported:
        path.unlink()
    return seconds


def _run_store_floor(
    stored: Path, db_path: Path, without: tuple[str, ...] = (), blank: tuple[str, ...] = ()
) -> float:
    """The store's own floor: what gongxin stored, copied with no Python in between into an
    empty gongxin schema (``INSERT … SELECT`` per table: its indexes, the change log's and the
    full-text index's triggers, run once over the copied rows as intake runs them), in one
    transaction with gongxin's pragmas. No intake can be faster than this into that schema.

    ``without`` names indexes and triggers (``trg_…``) dropped from the empty schema first:
    what the floor would be without them; ``blank`` names ``records`` columns copied as NULL
    (``bench/store_floor.py``)."""
    import sqlite3

    from gongxin.db import migrate, triggers
    from gongxin.db.engine import make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
            con.execute(f"PRAGMA {pragma}")
        for name in without:
            con.execute(f'DROP {"TRIGGER" if name.startswith("trg_") else "INDEX"} "{name}"')
        # as intake appends: the insert triggers run once over the copied rows, not per row
        # (gongxin.db.triggers.once_per_append)
        deferred = [
            d
            for (sql,) in con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('records', 'subjects')"
            )
            if (d := triggers.rewrite(sql)) is not None
        ]
        con.execute("ATTACH DATABASE ? AS src", (str(stored),))
        copies = []
        for table in STORED_TABLES:
            names = [r[1] for r in con.execute(f'PRAGMA main.table_info("{table}")')]
            cols = ", ".join(f'"{n}"' for n in names)
            picked = ", ".join(
                "NULL" if table == "records" and n in blank else f'"{n}"' for n in names
            )
            copies.append(f'INSERT INTO main."{table}" ({cols}) SELECT {picked} FROM src."{table}"')
        started = time.perf_counter()
        con.execute("BEGIN")
        for d in deferred:
            con.execute(f'DROP TRIGGER main."{d.name}"')
        for sql in copies:
            con.execute(sql)
        for d in deferred:
            con.execute(d.catch_up, (0,))
            con.execute(d.create)
        con.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        con.close()


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the file")
    parser.add_argument("--dataset", choices=("penalty", "registration"), default="penalty")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--no-peer", action="store_true", help="skip Frictionless")
    parser.add_argument(
        "--store", choices=("sqlite", "postgresql"), default="sqlite",
        help="the store: PostgreSQL is a temporary server (as the tests start) unless --db-url",
    )  # fmt: skip
    parser.add_argument("--db-url", help="an existing PostgreSQL server (its maintenance DB)")
    parser.add_argument(
        "--batch-rows", type=int, help="rows per intake batch (default: the platform's setting)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script
    from bench.intake_peer import run_frictionless, run_validation
    from bench.registration_file import write_registration_csv

    from gongxin.catalog.registry import get_catalog
    from gongxin.demo import write_penalty_csv

    get_catalog()  # parsed once, before the clock starts
    as_of = datetime.now(UTC)
    folder = Path(tempfile.mkdtemp(prefix="gongxin-bench-"))
    try:
        csv_path = folder / f"{args.dataset}.csv"
        started = time.perf_counter()
        if args.dataset == "penalty":
            write_penalty_csv(csv_path, args.rows, seed=1, as_of=as_of.date())
        else:
            write_registration_csv(csv_path, args.rows, seed=1, as_of=as_of.date())
        generate_s = time.perf_counter() - started
        size_mib = csv_path.stat().st_size / 2**20

        floor_s: float | None = None
        if args.store == "sqlite":
            # gongxin first, so that its child starts from a small parent process
            url = f"sqlite:///{folder / 'gongxin.db'}"
            result, peak_mib = _run_gongxin(csv_path, url, as_of, args.dataset, args.batch_rows)
            duck_s, duck_rows = _run_duckdb(csv_path, folder / "baseline.duckdb")
            bare_s = _run_sqlite_bare(csv_path, folder / "bare.sqlite")
            floor_s = _run_store_floor(folder / "gongxin.db", folder / "floor.sqlite")
        else:
            names = [f"gx_bench_{os.getpid()}_{what}" for what in ("intake", "bare", "floor")]
            with _postgres(args.db_url) as server:
                try:
                    url = server.create_database(names[0])
                    result, peak_mib = _run_gongxin(
                        csv_path, url, as_of, args.dataset, args.batch_rows
                    )
                    duck_s, duck_rows = _run_duckdb(csv_path, folder / "baseline.duckdb")
                    bare_s = _run_postgres_bare(csv_path, server, names[1])
                    floor_s = _run_postgres_floor(server, names[0], names[2], folder)
                finally:
                    for name in names:
                        with contextlib.suppress(Exception):
                            server.drop_database(name)
        # the validating half alone, gongxin's and the peer's, in this (the parent) process
        batch_rows = args.batch_rows or _default_batch_rows()
        check_s, check_cpu, checked = run_validation(csv_path, args.dataset, as_of, batch_rows)
        peer_s, peer_cpu, peer = (
            (None, None, {}) if args.no_peer else run_frictionless(csv_path, args.dataset)
        )
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    summary = result["summary"]
    gx_s = result["seconds"]
    store = "SQLite" if args.store == "sqlite" else "PostgreSQL"
    bare_how = (
        "SQLite load, no validation" if args.store == "sqlite" else "PostgreSQL COPY, text cols"
    )
    floor_how = "INSERT … SELECT" if args.store == "sqlite" else "binary COPY"
    gen_rps = args.rows / generate_s
    duck_rps = args.rows / duck_s
    gx_rps = args.rows / gx_s
    to_duck = gx_rps / duck_rps
    bare_rps = args.rows / bare_s
    ratio = gx_rps / bare_rps
    floor_rps = args.rows / floor_s if floor_s else None
    # CPU seconds: on a shared machine they vary far less than elapsed times (SQLite's work is
    # in the measuring process; PostgreSQL's COPY is done by the server, so none there)
    gx_cpu, bare_cpu = result["cpu"], CPU.get("bare")
    peer_rps = args.rows / peer_s if peer_s else None
    to_peer = gx_rps / peer_rps if peer_rps else None
    check_rps = args.rows / check_s
    check_to_peer = check_rps / peer_rps if peer_rps else None
    all_accepted = summary["accepted"] == args.rows == summary["rows"]
    counts = {k: summary[k] for k in ("rows", "accepted", "updated", "duplicates", "rejected",
                                      "unlinked", "warnings")}  # fmt: skip
    figures = {
        "dataset": args.dataset,
        "rows": args.rows,
        "file_mib": round(size_mib, 1),
        "generate_s": round(generate_s, 3),
        "generate_rows_per_s": round(gen_rps),
        "duckdb_s": round(duck_s, 3),
        "duckdb_rows": duck_rows,
        "duckdb_rows_per_s": round(duck_rps),
        "gongxin_s": round(gx_s, 3),
        "gongxin_rows_per_s": round(gx_rps),
        "ratio_to_duckdb": round(to_duck, 4),
        "sqlite_bare_s": round(bare_s, 3),
        "sqlite_bare_rows_per_s": round(bare_rps),
        "ratio_to_sqlite_bare": round(ratio, 4),
        "store": args.store,
        "gongxin_cpu_s": round(gx_cpu, 3),
        "bare_cpu_s": round(bare_cpu, 3) if bare_cpu else None,
        "frictionless_cpu_s": round(peer_cpu, 3) if peer_cpu else None,
        "cpu_ratio_to_bare": round(bare_cpu / gx_cpu, 4) if bare_cpu else None,
        "cpu_ratio_to_frictionless": round(peer_cpu / gx_cpu, 4) if peer_cpu else None,
        "store_floor_s": round(floor_s, 3) if floor_s else None,
        "store_floor_rows_per_s": round(floor_rps) if floor_rps else None,
        "store_floor_ratio_to_bare": round(floor_rps / bare_rps, 4) if floor_rps else None,
        "ratio_to_store_floor": round(gx_rps / floor_rps, 4) if floor_rps else None,
        "frictionless_s": round(peer_s, 3) if peer_s else None,
        "frictionless_rows_per_s": round(peer_rps) if peer_rps else None,
        "frictionless_report": peer,
        "validation_s": round(check_s, 3),
        "validation_cpu_s": round(check_cpu, 3),
        "validation_rows_per_s": round(check_rps),
        "validation_counts": checked,
        "validation_ratio_to_frictionless": round(check_to_peer, 4) if check_to_peer else None,
        "ratio_to_frictionless": round(to_peer, 4) if to_peer else None,
        "peer_target": TARGET_PEER,
        "peer_pass": to_peer is not None and to_peer >= TARGET_PEER,
        "sqlite_bare_ratio_to_duckdb": round(bare_rps / duck_rps, 4),
        "gongxin_peak_rss_mib": round(peak_mib, 1),
        "all_accepted": all_accepted,
        "ratio_target": TARGET_RATIO,
        "ratio_pass": ratio >= TARGET_RATIO,
        "rss_target_mib": TARGET_RSS_MIB,
        "rss_pass": peak_mib <= TARGET_RSS_MIB,
        **{f"summary_{k}": v for k, v in counts.items()},
    }

    lines = [
        f"intake benchmark: {args.rows:,} {args.dataset} rows, {size_mib:,.1f} MiB UTF-8 CSV"
        f"{f', {args.batch_rows:,} rows a batch' if args.batch_rows else ''}",
        f"  file written                         {generate_s:8.2f} s  {gen_rps:12,.0f} rows/s",
        f"  (a) DuckDB read_csv → table          {duck_s:8.2f} s  {duck_rps:12,.0f} rows/s"
        f"   ({duck_rows:,} rows loaded)",
        f"  (b) {f'gongxin ingest ({store})':32s} {gx_s:8.2f} s  {gx_rps:12,.0f} rows/s",
        f"  (c) bare {bare_how:27s} {bare_s:8.2f} s  {bare_rps:12,.0f} rows/s"
        f"   (the storage floor; itself {bare_rps / duck_rps:.2f} of DuckDB)",
        (
            f"  (e) store floor: stored rows copied  {floor_s:8.2f} s  {floor_rps:12,.0f} rows/s"
            f"   ({floor_how} into an empty gongxin schema; {floor_rps / bare_rps:.2f} of (c))"
            if floor_s and floor_rps else "  (e) store floor: not measured"
        ),
        (
            f"  (d) Frictionless validate, no store  {peer_s:8.2f} s  {peer_rps:12,.0f} rows/s"
            f"   (report: {peer})"
            if peer_s and peer_rps else "  (d) Frictionless: skipped"
        ),
        f"  (f) gongxin read + validate alone    {check_s:8.2f} s  {check_rps:12,.0f} rows/s"
        f"   (the part of (b) that (d) does; {checked['passed']:,} of {checked['rows']:,} pass)",
        f"  gongxin peak RSS (child process)     {peak_mib:8.1f} MiB",
        "  CPU seconds: gongxin "
        + f"{gx_cpu:.2f}"
        + (f", bare load {bare_cpu:.2f} (ratio {bare_cpu / gx_cpu:.3f})" if bare_cpu else "")
        + (f", Frictionless {peer_cpu:.2f} (ratio {peer_cpu / gx_cpu:.2f})" if peer_cpu else "")
        + f", gongxin's validation alone {check_cpu:.2f}",
        "  summary: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
        "",
        f"  ratio gongxin / bare {store:6s} {ratio:5.3f}   target ≥ {TARGET_RATIO}        "
        f"{_verdict(ratio >= TARGET_RATIO)}   (the cost of validation, keys, links, history)",
        f"  ratio gongxin / DuckDB   {to_duck:6.3f}   (no target)",
        (
            f"  ratio gongxin / store floor {gx_rps / floor_rps:5.3f}   (no target: the share of"
            " the time that the schema's own writes take)"
            if floor_rps else "  (no store floor)"
        ),
        (
            f"  ratio gongxin / Frictionless {to_peer:4.2f}   target ≥ {TARGET_PEER}        "
            f"{_verdict(to_peer >= TARGET_PEER)}"
            if to_peer is not None else "  Frictionless skipped (--no-peer)"
        ),
        (
            f"  ratio validation alone / Frictionless {check_to_peer:4.2f}   (no target: (f)/(d),"
            " the same work on both sides)"
            if check_to_peer is not None else "  (no validation ratio without Frictionless)"
        ),
        f"  peak RSS                 {peak_mib:6.0f}   target ≤ {TARGET_RSS_MIB} MiB   "
        f"{_verdict(peak_mib <= TARGET_RSS_MIB)}",
        f"  every row accepted       {'yes' if all_accepted else 'NO':>6}                     "
        f"{_verdict(all_accepted)}",
    ]  # fmt: skip
    print("\n".join(lines))
    if duck_rows != args.rows:
        print(f"  warning: DuckDB loaded {duck_rows:,} rows, expected {args.rows:,}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
