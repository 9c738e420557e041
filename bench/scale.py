"""Scale run: a PostgreSQL store of N records over N/10 subjects, its read paths and an
evaluation run, each beside a bare baseline measured in the same run.

    python bench/scale.py --records N [--repeat K] [--db-url postgresql+psycopg://…]
                          [--folder DIR] [--no-spark] [--json]

1. Store: the PostgreSQL database of ``--db-url`` (emptied first), or else a throwaway server
   started on 127.0.0.1 as the test suite does (``tests/support/pgserver.TemporaryPostgres``:
   fsync off; thrown away at the end). Built with the platform's own bulk paths, as
   ``bench/visibility.py`` does: the demo's fast writer (``gongxin.demo.fast.write_penalty_csv``)
   writes N valid penalties about N/10 market entities; the register gets each entity they
   name and further generated shops and companies up to N/10 subjects
   (``dialect.bulk_insert``: COPY on PostgreSQL); then ``gongxin.intake.pipeline.ingest``
   takes the penalties in, storing every record's visibility decision and linking it to its
   subject by USCC as it goes (the register loaded first, as in a running platform). The build
   is timed (rows/s).
2. Measured, K runs each, p50/p95 ms (visibility's measurements, imported from it):
   - subject search by a name fragment vs the bare pg_trgm LIKE of the same page;
   - a subject profile (``gongxin.subjects.profile``'s public profile of the subject with the
     most records) vs the bare indexed SELECT of its records;
   - the 双公示 penalty list, page 1 and page 1,000 vs the bare indexed page;
   - the whole change feed (pages of 10,000, API JSON) vs bare keyset pages (rows/s);
   - an evaluation run (``analytics.evaluation.evaluate``: snapshot of the store, the model's
     jobs, the write-back) on DuckDB and on Spark ``local[*]``, vs the bare floor of the same
     work: the snapshot alone plus a bare DuckDB group-by of the records per subject and
     dataset.
3. Prints each figure beside its baseline and the ratio. A measurement, not a test: exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import visibility as vis

NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
MODEL = "shandong_1000"


def _register(csv_path: Path) -> list[tuple[str, str]]:
    """Each market entity the penalty file names by USCC, with its name (the first, in order
    of names): the register a department would have loaded before the penalties came."""
    import duckdb

    from gongxin.catalog.registry import load_catalog
    from gongxin.ids import uscc

    spec = load_catalog().get("penalty")
    code, name = spec.field("CF_XDR_SHXYM").name, spec.field("CF_XDR_MC").name
    found = duckdb.sql(
        f'SELECT "{code}", min("{name}") FROM read_csv(?, all_varchar = true, header = true) '
        f'WHERE "{code}" IS NOT NULL GROUP BY 1 ORDER BY 1',
        params=[str(csv_path)],
    ).fetchall()
    return [(uscc.validate(c), n) for c, n in found if uscc.is_valid(c)]


def build(url: str, records: int, subject_count: int, folder: Path) -> dict[str, Any]:
    """The store: the register by COPY (each entity the penalties name, and more up to the
    subject count), then N penalties through intake, which links each to its subject as it
    stores it (as when the register is loaded first)."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import dialect, migrate
    from gongxin.db.engine import make_engine
    from gongxin.db.models import subjects
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.identity import authorities, departments
    from gongxin.intake.pipeline import ingest
    from gongxin.subjects.names import normalise_name

    vis._wipe(url, folder)
    engine = make_engine(url)
    out: dict[str, Any] = {"records": records}
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            departments.add(conn, vis.PROVIDER, kind="provider", code=None, now=NOW)
            departments.add(conn, vis.READER, kind="user", code=None, now=NOW)
        csv_path = folder / "penalties.csv"
        began = time.perf_counter()
        write_penalty_csv(
            csv_path, records, seed=1, as_of=date(2026, 11, 1), subjects=max(1, subject_count)
        )
        out["csv_s"] = time.perf_counter() - began
        with engine.begin() as conn:
            authorities.add(conn, vis.PROVIDER, sorted(vis._authorities(csv_path)), now=NOW)
        began = time.perf_counter()
        found = _register(csv_path)
        with engine.begin() as conn:
            stamp = dialect.timestamp_text(conn, NOW)
            dialect.bulk_insert(
                conn, subjects, ("uscc", "name", "name_norm", "created_at", "updated_at"),
                ((code, name, normalise_name(name), stamp, stamp) for code, name in found),
            )  # fmt: skip
            more = max(0, subject_count - len(found))
            dialect.bulk_insert(
                conn, subjects, ("reg_no", "name", "name_norm", "created_at", "updated_at"),
                ((r, n, m, stamp, stamp) for r, n, m in vis._more_subjects(more, 2)),
            )  # fmt: skip
        out["register_s"] = time.perf_counter() - began
        began = time.perf_counter()
        summary = ingest(
            engine, load_catalog(), csv_path, dataset="penalty", provider=vis.PROVIDER, as_of=NOW
        )
        out["ingest_s"] = time.perf_counter() - began
        out["accepted"] = summary.accepted
        csv_path.unlink()
        began = time.perf_counter()
        with engine.begin() as conn:
            linked = conn.exec_driver_sql(
                "SELECT count(*) FROM records WHERE subject_id IS NOT NULL"
            ).scalar_one()
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        out["register_s"] += time.perf_counter() - began
        out |= {"subjects": len(found) + more, "linked": linked}
        with engine.begin() as conn:
            from gongxin.catalog.registry import load_catalog as cat
            from gongxin.exchange import expiry

            began = time.perf_counter()
            expired = expiry.sweep(conn, cat(), now=NOW, as_of=vis.AS_OF)
            out["sweep_s"], out["expired"] = time.perf_counter() - began, sum(expired.values())
        with engine.connect() as conn:
            out["db_mb"] = (
                conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
                / 1e6
            )
            out["records_mb"] = (
                conn.exec_driver_sql("SELECT pg_total_relation_size('records')").scalar_one() / 1e6
            )
    finally:
        engine.dispose()
    return out


BARE_PROFILE = (
    "SELECT r.id, r.dataset, r.event_date, CAST(r.data AS TEXT) FROM subjects s "
    "JOIN records r ON r.subject_id = s.id WHERE s.uscc = %s AND r.is_public = true "
    "ORDER BY r.event_date DESC, r.id"
)


def profile(engine: Any, repeat: int) -> dict[str, Any]:
    """The public profile page's data of the subject with the most records (its header and
    counts, ``subjects.profile.profile``, and its visible records, masked,
    ``visible_records``) against the bare SELECT of the same records by USCC."""
    from gongxin.catalog.registry import load_catalog
    from gongxin.records.gate import Audience
    from gongxin.subjects import profile as prof

    catalog = load_catalog()

    def page(conn: Any, code: str) -> int:
        prof.profile(conn, catalog, code, audience=Audience.PUBLIC, as_of=vis.AS_OF)
        got = prof.visible_records(conn, catalog, code, audience=Audience.PUBLIC, as_of=vis.AS_OF)
        return len(got)

    with engine.connect() as conn:
        code, count = conn.exec_driver_sql(
            "SELECT s.uscc, count(*) FROM records r JOIN subjects s ON s.id = r.subject_id "
            "GROUP BY s.uscc ORDER BY 2 DESC LIMIT 1"
        ).one()
        shown = page(conn, code)
        raw, bare = vis._bare(engine)
        try:
            gx, base = vis._paired(
                lambda: page(conn, code), lambda: vis._run(bare, BARE_PROFILE, (code,)), repeat
            )
        finally:
            raw.close()
    return {"records": count, "shown": shown, "bare_sql": BARE_PROFILE, "gongxin": gx,
            "bare": base, "ratio_p95": gx["p95"] / base["p95"]}  # fmt: skip


def evaluation_run(url: str, folder: Path, spark: bool) -> dict[str, Any]:
    """``evaluate`` on DuckDB (and Spark) against the snapshot plus a bare group-by."""
    from gongxin.analytics import evaluation, evaluation_model, snapshot
    from gongxin.analytics.engines import DuckDBEngine
    from gongxin.catalog.registry import load_catalog
    from gongxin.db.engine import make_engine

    model = evaluation_model.get_model(MODEL, load_catalog())
    as_of = max(vis.AS_OF, model.effective_from)
    engine = make_engine(url)
    out: dict[str, Any] = {"model": MODEL}
    try:
        work = folder / "bare"
        began = time.perf_counter()
        taken = snapshot.take(engine, work, tables=("records", "subjects"), now=NOW)
        out["snapshot_s"] = time.perf_counter() - began
        began = time.perf_counter()
        grouped = DuckDBEngine().query(
            "SELECT subject_id, dataset, COUNT(*) AS n FROM records "
            f"WHERE event_date <= DATE '{as_of}' GROUP BY subject_id, dataset",
            dict(taken.tables),
        )
        out["groupby_s"] = time.perf_counter() - began
        out["groups"] = grouped.num_rows
        out["bare_s"] = out["snapshot_s"] + out["groupby_s"]
        shutil.rmtree(work, ignore_errors=True)
        for name in ("duckdb", "spark") if spark else ("duckdb",):
            began = time.perf_counter()
            run = evaluation.evaluate(
                engine, model, as_of=as_of, now=NOW, engine=name, work_dir=folder
            )
            took = time.perf_counter() - began
            out[name] = {"s": took, "subjects": run.subjects, "records": run.records,
                         "ratio": took / out["bare_s"]}  # fmt: skip
            _said(f"evaluation {name}", {**out, name: out[name]})
    finally:
        engine.dispose()
    return out


def measure(url: str, repeat: int, folder: Path, spark: bool, evaluate: bool) -> dict[str, Any]:
    from gongxin.db.engine import make_engine

    engine = make_engine(url)
    try:
        result: dict[str, Any] = {"search": _said("search", vis._search(engine, repeat))}
        result["profile"] = _said("profile", profile(engine, repeat))
        result["pages"] = _said("pages", vis._pages(engine, repeat))
        result["feed"] = _said("feed", vis._feed(engine))
    finally:
        engine.dispose()
    if evaluate:
        result["evaluation"] = evaluation_run(url, folder, spark)
    return result


def _said(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    """``figures``, also written to stderr as soon as measured: a long run that fails later
    (the evaluation at 10 M) keeps what it measured before."""
    print(f"{name}: {json.dumps(figures, default=str)}", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db-url", default=None, help="a PostgreSQL database (emptied first)")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--no-spark", action="store_true", help="the evaluation on DuckDB only")
    parser.add_argument("--no-evaluation", action="store_true", help="the read paths only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from gongxin import logs

    logs.configure("WARNING")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="gx-bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = None
    url = args.db_url
    try:
        if url is None:
            from tests.support.pgserver import TemporaryPostgres

            server = TemporaryPostgres(settings={"shared_buffers": "256MB", "work_mem": "32MB"})
            server.start()
            url = server.create_database("gx_scale")
        began = time.perf_counter()
        built = build(url, args.records, max(1, args.records // 10), folder)
        built["build_s"] = time.perf_counter() - began
        print(f"built: {json.dumps(built)}", file=sys.stderr, flush=True)
        result = {
            "build": built,
            **measure(url, args.repeat, folder, not args.no_spark, not args.no_evaluation),
        }
        result["cores"] = os.cpu_count()
        if args.json:
            print(json.dumps(result, indent=2, default=str))
        else:
            report(result, args)
    finally:
        if server is not None:
            server.stop()
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    b = r["build"]
    print(
        f"PostgreSQL, {b['accepted']:,} records, {b['subjects']:,} subjects ({b['linked']:,} "
        f"records linked); build {b['build_s']:.0f} s (intake {b['ingest_s']:.0f} s = "
        f"{b['accepted'] / b['ingest_s']:,.0f} rows/s; register+analyze "
        f"{b['register_s']:.0f} s); database {b['db_mb']:,.0f} MB (records {b['records_mb']:,.0f}"
        f" MB); {args.repeat} runs each, p95 ms"
    )
    pages = r["pages"]
    rows = [("search", r["search"]), ("profile", r["profile"]),
            ("list page 1", pages["page_1"]), ("list page 1000", pages["page_1000"])]  # fmt: skip
    for name, x in rows:
        print(
            f"  {name:<15} gongxin {x['gongxin']['p95']:8.2f}  bare {x['bare']['p95']:8.2f}  "
            f"ratio {x['ratio_p95']:.2f}"
        )
    f = r["feed"]
    print(
        f"  change feed     gongxin {f['feed']['rows_per_s']:,.0f} rows/s  bare "
        f"{f['bare']['rows_per_s']:,.0f} rows/s  ratio {f['ratio']:.2f}"
    )
    e = r.get("evaluation")
    if e is None:
        return
    print(
        f"  evaluation bare: snapshot {e['snapshot_s']:.1f} s + DuckDB group-by "
        f"{e['groupby_s']:.2f} s = {e['bare_s']:.1f} s"
    )
    for name in ("duckdb", "spark"):
        if name in e:
            x = e[name]
            print(
                f"  evaluation {name:<6} {x['s']:.1f} s ({x['subjects']:,} subjects, "
                f"{x['records']:,} records counted)  ratio {x['ratio']:.2f}"
            )


if __name__ == "__main__":
    sys.exit(main())
