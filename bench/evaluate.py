"""Evaluation benchmark: a model's run on DuckDB against a bare DuckDB group-by over the same
records, at two sizes so that memory can be seen to stay flat, and the same run on Spark
(local) with its grades compared.

    python bench/evaluate.py [--subjects N] [--records M [M2 …]] [--model shandong_1000]
                             [--spark] [--folder PATH] [--threads T] [--memory-limit 1GB]

For each record count M (default 1,000,000 and 10,000,000):

1. Writes the snapshot directly as Parquet (DuckDB ``range()``, no store): N subjects with
   统一社会信用代码-shaped codes (企业, 个体工商户, 社会组织 mixed) and M records spread over the
   catalog's datasets (penalties with 一般/严重 severities, commitments with 履约 states,
   lists, licences the model ignores), event dates over five years, 5% out of force, 3% with
   an ended window — the columns the evaluation job reads, with the store's types, in row
   groups of 122,880 rows.
2. Baseline, in a fresh process: a bare DuckDB group-by of the same records (count per subject
   and dataset), materialised as Arrow, with the engine's settings (``memory_limit``).
3. The run, in a fresh process: the model's three jobs (``evaluation.compute``: hits with
   decay and filters, contributions with caps, scores and grades, each written by the engine
   as Parquet), then every row the run writes back to the store read back as the write does
   (``evaluation.batches``: 5,000 rows at a time, the record ids of each contribution) without
   the store itself. Ratio = jobs / bare (target ≤ 3).
   Peak RSS of each process (``ru_maxrss``) is printed beside the baseline's: both processes
   start alike, so the difference is what the run holds; compare the sizes for flatness.
4. ``--spark``: the same jobs on Spark ``local[*]`` over the last size; its time and whether
   every subject's score and grade equals DuckDB's.

A measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from gongxin.analytics import evaluation, evaluation_model, snapshot
from gongxin.analytics.engines import MEMORY_LIMIT, DuckDBEngine, SparkEngine
from gongxin.catalog.registry import load_catalog

AS_OF = date(2026, 3, 31)
T = TypeVar("T")

DATASETS = (  # (dataset, share of records in per mille)
    ("licence", 350), ("penalty", 300), ("commitment", 80), ("abnormal_list", 60),
    ("red_list", 50), ("tax_a", 50), ("dishonest_debtor", 40), ("tax_violation", 25),
    ("serious_dishonest_list", 25), ("gov_procurement_violation", 20),
)  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare(tables: dict[str, Path], threads: int | None, limit: str) -> tuple[float, int, float]:
    engine = DuckDBEngine(threads=threads, memory_limit=limit)
    began = time.perf_counter()
    bare = engine.query(BARE.format(as_of=AS_OF), tables)
    return time.perf_counter() - began, bare.num_rows, _peak_mb()


def _run(
    code: str, tables: dict[str, Path], folder: Path, threads: int | None, limit: str
) -> tuple[float, float, int, int, dict[str, int], float, float]:
    model = evaluation_model.get_model(code, load_catalog())
    taken = snapshot.Snapshot(folder, datetime.now(UTC), tables, {})
    began = time.perf_counter()
    outcome = evaluation.compute(
        model, taken, DuckDBEngine(threads=threads, memory_limit=limit), AS_OF, folder
    )
    jobs_s = time.perf_counter() - began
    jobs_mb = _peak_mb()
    began = time.perf_counter()
    written = sum(len(rows) for _, rows in evaluation.batches(outcome, 0))
    subjects, counted, grades = evaluation.totals(outcome)
    assert written >= subjects
    return jobs_s, time.perf_counter() - began, subjects, counted, grades, jobs_mb, _peak_mb()


def _fresh(target: Callable[..., T], *args: Any) -> T:
    """``target(*args)`` in a new process (spawned: it starts from nothing, so its peak RSS is
    its own)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(target, *args).result()


def build(folder: Path, subjects: int, records: int) -> snapshot.Snapshot:
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT i AS id,
                  CASE i % 10 WHEN 0 THEN '92' WHEN 1 THEN '51' ELSE '91' END
                    || lpad(CAST(i AS VARCHAR), 16, '0') AS uscc,
                  'subject ' || i AS name
                  FROM range(1, {subjects + 1}) t(i))
            TO '{folder}/subjects.parquet' (FORMAT parquet)"""
    )
    cases, start = [], 0
    for name, share in DATASETS:
        start += share
        cases.append(f"WHEN h < {start} THEN '{name}'")
    con.execute(
        f"""COPY (
            WITH r AS (SELECT i AS id, hash(i) % 1000 AS h, hash(i * 7) AS g
                       FROM range(1, {records + 1}) t(i)),
            d AS (SELECT id, g, CASE {" ".join(cases)} ELSE 'licence' END AS dataset FROM r)
            SELECT id, dataset,
                   CAST(1 + g % {subjects} AS BIGINT) AS subject_id,
                   CAST(DATE '{AS_OF}' - CAST((g >> 12) % 1825 AS INTEGER) AS DATE) AS event_date,
                   CASE WHEN dataset = 'penalty' THEN
                          CASE WHEN (g >> 24) % 10 = 0 THEN '{{"CF_YZCD": "严重"}}'
                               ELSE '{{"CF_YZCD": "一般"}}' END
                        WHEN dataset = 'commitment' THEN
                          CASE WHEN (g >> 24) % 2 = 0 THEN '{{"CN_LYZT": "已履约"}}'
                               ELSE '{{"CN_LYZT": "履约中"}}' END
                        ELSE '{{}}' END AS data,
                   (g >> 32) % 100 >= 5 AS in_force,
                   (g >> 32) % 100 >= 10 AS is_public,
                   TRUE AS is_shared,
                   CAST(NULL AS DATE) AS pub_from,
                   CASE WHEN (g >> 40) % 100 < 3 THEN DATE '{AS_OF}' - 1 ELSE CAST(NULL AS DATE) END
                     AS pub_until
            FROM d)
            TO '{folder}/records.parquet' (FORMAT parquet, ROW_GROUP_SIZE 122880)"""
    )
    con.close()
    tables = {"subjects": folder / "subjects.parquet", "records": folder / "records.parquet"}
    return snapshot.Snapshot(folder, datetime.now(UTC), tables, {})


BARE = """SELECT subject_id, dataset, COUNT(*) AS n FROM records
          WHERE event_date <= DATE '{as_of}' GROUP BY subject_id, dataset"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--model", default="shandong_1000")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--memory-limit", default=MEMORY_LIMIT, help="DuckDB memory_limit")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="gongxin-bench-evaluate-"))
    model = evaluation_model.get_model(args.model, load_catalog())
    print(f"DuckDB memory_limit {args.memory_limit}, threads {args.threads or 'all'}; "
          f"write-back read in batches of {evaluation.WRITE_BATCH:,}")  # fmt: skip
    try:
        for size in args.records:
            here = folder / f"r{size}"
            began = time.perf_counter()
            taken = build(here / "snapshot", args.subjects, size)
            tables = dict(taken.tables)
            print(f"\n== {args.subjects:,} subjects, {size:,} records "
                  f"(Parquet written in {time.perf_counter() - began:.1f}s)")  # fmt: skip
            bare_s, groups, bare_mb = _fresh(_bare, tables, args.threads, args.memory_limit)
            print(f"bare DuckDB group-by: {bare_s:.2f}s ({groups:,} groups); "
                  f"peak RSS {bare_mb:,.0f} MB")  # fmt: skip
            jobs_s, back_s, subjects, counted, grades, jobs_mb, run_mb = _fresh(
                _run, args.model, tables, here / "duckdb", args.threads, args.memory_limit
            )
            print(f"evaluation {model.label} on DuckDB: jobs {jobs_s:.2f}s — {counted:,} "
                  f"records counted, {subjects:,} subjects graded {grades}; "
                  f"peak RSS {jobs_mb:,.0f} MB (bare {bare_mb:,.0f} MB)")  # fmt: skip
            print(f"  + every row of the write-back read in batches: {back_s:.2f}s; "
                  f"peak RSS {run_mb:,.0f} MB (bare {bare_mb:,.0f} MB)")  # fmt: skip
            print(f"ratio evaluation jobs / bare group-by: {jobs_s / bare_s:.2f} (target ≤ 3)")
        if args.spark:
            mine = evaluation.Outcome(here / "duckdb", evaluation.steps_of(model, AS_OF))
            with SparkEngine("local[*]") as spark:
                began = time.perf_counter()
                on_spark = evaluation.compute(model, taken, spark, AS_OF, here / "spark")
                spark_s = time.perf_counter() - began
            same = on_spark.scores.to_pylist() == mine.scores.to_pylist()
            print(f"evaluation on Spark local[*]: {spark_s:.2f}s; every grade and score "
                  f"identical to DuckDB: {same}")  # fmt: skip
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
