"""Evaluation benchmark: a model's run on DuckDB against a bare DuckDB group-by over the same
records, and the same run on Spark (local) with its grades compared.

    python bench/evaluate.py [--subjects N] [--records M] [--model shandong_1000] [--spark]
                             [--folder PATH] [--threads T]

1. Writes the snapshot directly as Parquet (DuckDB ``range()``, no store): N subjects with
   统一社会信用代码-shaped codes (企业, 个体工商户, 社会组织 mixed) and M records spread over the
   catalog's datasets (penalties with 一般/严重 severities, commitments with 履约 states,
   lists, licences the model ignores), event dates over five years, 5% out of force, 3% with
   an ended window — the columns the evaluation job reads, with the store's types.
2. Baseline: a bare DuckDB group-by of the same records (count per subject and dataset),
   materialised as Arrow, in the same process and engine settings.
3. The model's three jobs (``gongxin.analytics.evaluation.compute``: hits with decay and
   filters, contributions with caps, scores and grades), materialised and sorted as the run
   writes them back. Ratio = evaluation / bare (target ≤ 3). Peak RSS is reported after each
   step (DuckDB streams the Parquet files: memory stays flat as M grows; run two sizes to see).
4. ``--spark``: the same jobs on Spark ``local[*]``; its time and whether every subject's
   grade equals DuckDB's.

Writing the results back to the store is not timed here (the run's one transaction; see
docs/evaluation.md). A measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from gongxin.analytics import evaluation, evaluation_model, snapshot
from gongxin.analytics.engines import DuckDBEngine, SparkEngine
from gongxin.catalog.registry import load_catalog

AS_OF = date(2026, 3, 31)

DATASETS = (  # (dataset, share of records in per mille)
    ("licence", 350), ("penalty", 300), ("commitment", 80), ("abnormal_list", 60),
    ("red_list", 50), ("tax_a", 50), ("dishonest_debtor", 40), ("tax_violation", 25),
    ("serious_dishonest_list", 25), ("gov_procurement_violation", 20),
)  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--model", default="shandong_1000")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="gongxin-bench-evaluate-"))
    model = evaluation_model.get_model(args.model, load_catalog())
    try:
        began = time.perf_counter()
        taken = build(folder / "snapshot", args.subjects, args.records)
        print(f"data: {args.subjects:,} subjects, {args.records:,} records as Parquet "
              f"in {time.perf_counter() - began:.1f}s")  # fmt: skip
        engine = DuckDBEngine(threads=args.threads)
        began = time.perf_counter()
        bare = engine.query(BARE.format(as_of=AS_OF), taken.tables)
        bare_s = time.perf_counter() - began
        print(f"bare DuckDB group-by: {bare_s:.2f}s ({bare.num_rows:,} groups); "
              f"peak RSS {_peak_mb():,.0f} MB")  # fmt: skip
        began = time.perf_counter()
        outcome = evaluation.compute(model, taken, engine, AS_OF, folder / "duckdb")
        run_s = time.perf_counter() - began
        grades: dict[str, int] = {}
        for g in outcome.scores["grade"].to_pylist():
            grades[g] = grades.get(g, 0) + 1
        print(f"evaluation {model.label} on DuckDB: {run_s:.2f}s — {outcome.hits.num_rows:,} "
              f"records counted, {outcome.scores.num_rows:,} subjects graded "
              f"{dict(sorted(grades.items()))}; "
              f"peak RSS {_peak_mb():,.0f} MB")  # fmt: skip
        print(f"ratio evaluation / bare group-by: {run_s / bare_s:.2f} (target ≤ 3)")
        if args.spark:
            with SparkEngine("local[*]") as spark:
                began = time.perf_counter()
                on_spark = evaluation.compute(model, taken, spark, AS_OF, folder / "spark")
                spark_s = time.perf_counter() - began
            same = on_spark.scores.to_pylist() == outcome.scores.to_pylist()
            print(f"evaluation on Spark local[*]: {spark_s:.2f}s; every grade and score "
                  f"identical to DuckDB: {same}")  # fmt: skip
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
