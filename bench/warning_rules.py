# ruff: noqa: E402
"""Warnings benchmark: every warning rule on DuckDB beside a bare DuckDB join of the same
relation, and the related-party graph's neighbourhood query p95 on the store.

    python bench/warning_rules.py [--subjects N] [--records M] [--samples S] [--no-graph]
                             [--no-rules] [--threads T] [--folder PATH]

1. Writes the analytics snapshot directly as Parquet (DuckDB ``range()``, no store): N
   subjects with industry (20 GB/T 4754 classes) and region (16 districts) codes and a status,
   their parties (legal representative — 15% of firms share theirs with another —, address —
   3% in 2,000 address clusters —, phone, e-mail for half, an investor subject for a quarter),
   changes of legal representative or domicile for a fifth, and M records over the datasets
   the rules read (penalties, licences, abnormal list, serious dishonest list, dishonest
   debtors), event dates over five years, 5% out of force; plus a planted anomaly (a third of
   the clothing firms of one district penalised in the last 200 days).
2. For each rule of the packaged ``warning_rules.yaml``: the bare DuckDB join its check rests
   on (the same tables joined on the same keys, restricted to the same party kinds and
   datasets, materialised as Arrow; no windows, in-force tests, thresholds or grouping),
   then the rule's job as a run executes it (``gongxin.analytics.jobs.run``: the SQL, cast
   and sorted), printed side by side with the ratio and the rows found; then
   ``warnings.find`` (all rules, findings grouped per subject in Python, as the scheduled run
   does before writing them back).
3. Unless ``--no-graph``: loads subjects, parties and the list and penalty records into a
   fresh SQLite store (migrated as ``gongxin init`` does) and times
   ``graph.neighbourhood(depth=2, max_nodes=50)`` — what ``/api/v1/subjects/{code}/graph``
   runs — for S subjects drawn at random, half of them from subjects that share a party:
   p50, p95, max. With ``--folder`` of an earlier run the store is reused (loading a million
   subjects' parties into SQLite takes long).

Writing warnings back to the store is not timed (one transaction per run). A measurement,
not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``warnings``: run as a script, its folder comes
# first on sys.path and would shadow it. Drop the folder before anything imports ``warnings``.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import sqlalchemy as sa

from gongxin.analytics import jobs, snapshot
from gongxin.analytics.engines import DuckDBEngine
from gongxin.catalog.registry import load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.records.gate import Audience
from gongxin.supervision import graph, kinds
from gongxin.supervision.rules import load_rules
from gongxin.supervision.warnings import find

AS_OF = date(2026, 3, 31)
INDUSTRIES = ("I6513", "I6531", "F5139", "H6210", "F5126", "E4790", "E5010", "G5430", "L7251",
              "F5251", "L7212", "K7010", "C1819", "C1713", "M7320", "O8010", "P8391", "R8810",
              "A0141", "S9421")  # fmt: skip
DATASETS = (  # (dataset, share of records in per mille)
    ("penalty", 380), ("licence", 420), ("abnormal_list", 100), ("serious_dishonest_list", 30),
    ("dishonest_debtor", 70),
)  # fmt: skip
# The bare join each rule's check rests on: its tables on its keys, restricted to the same kinds
# of party and datasets, and nothing else (no windows, in-force tests, thresholds or grouping).
BARE = {
    "listed_rep_elsewhere": """
        SELECT r.id, l.subject_id, o.subject_id AS other FROM records AS r
        JOIN subject_parties AS l ON l.subject_id = r.subject_id AND l.kind = 'legal_rep'
        JOIN subject_parties AS o ON o.kind = 'legal_rep' AND o.key = l.key
        WHERE r.dataset IN ('serious_dishonest_list', 'dishonest_debtor')""",
    "address_cluster": """
        SELECT a.subject_id, a.key, s.reg_status FROM subject_parties AS a
        JOIN subjects AS s ON s.id = a.subject_id WHERE a.kind = 'address'""",
    "frequent_changes": "SELECT subject_id, item, changed_on FROM subject_changes",
    "penalty_after_registration": """
        SELECT r.id, r.event_date, s.reg_date FROM records AS r
        JOIN subjects AS s ON s.id = r.subject_id WHERE r.dataset = 'penalty'""",
    "abnormal_while_licensed": """
        SELECT a.id, l.id AS other FROM records AS a
        JOIN records AS l ON l.subject_id = a.subject_id
        WHERE a.dataset = 'abnormal_list' AND l.dataset = 'licence'""",
    "penalty_rate_anomaly": """
        SELECT s.id, s.industry_code, s.region_code, r.id AS record_id FROM subjects AS s
        LEFT JOIN records AS r ON r.subject_id = s.id AND r.dataset = 'penalty'""",
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(folder: Path, n: int, m: int) -> snapshot.Snapshot:
    (folder / "records").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    codes = ", ".join(f"'{c}'" for c in INDUSTRIES)
    con.execute(f"""COPY (
        SELECT i AS id, '91' || lpad(CAST(i AS VARCHAR), 16, '0') AS uscc,
               'subject ' || i AS name,
               CAST(DATE '2010-01-01' + CAST(hash(i) % 5800 AS INTEGER) AS DATE) AS reg_date,
               CASE WHEN hash(i * 3) % 100 < 90 THEN '存续' ELSE '注销' END AS reg_status,
               [{codes}][1 + CAST(hash(i * 5) % {len(INDUSTRIES)} AS INTEGER)] AS industry_code,
               '1101' || lpad(CAST(1 + hash(i * 7) % 16 AS VARCHAR), 2, '0') AS region_code
        FROM range(1, {n + 1}) t(i)) TO '{folder}/subjects.parquet' (FORMAT parquet)""")
    reps, phones = int(n * 0.85), int(n * 0.95)
    con.execute(f"""COPY (
        WITH p AS (
            SELECT i AS subject_id, 'legal_rep' AS kind,
                   'hmac:' || (hash(i * 11) % {reps}) AS key, '张某' AS label
            FROM range(1, {n + 1}) t(i)
            UNION ALL
            SELECT i, 'address',
                   CASE WHEN hash(i * 13) % 100 < 3 THEN '集中路' || (hash(i * 17) % 2000) || '号'
                        ELSE '独立路' || i || '号' END, '' FROM range(1, {n + 1}) t(i)
            UNION ALL
            SELECT i, 'phone', '010' || (hash(i * 19) % {phones}), '' FROM range(1, {n + 1}) t(i)
            UNION ALL
            SELECT i, 'email', 'e' || i || '@example.cn', '' FROM range(1, {n + 1}) t(i)
            WHERE i % 2 = 0
            UNION ALL
            SELECT i, 'investor', '91' || lpad(CAST(1 + hash(i * 23) % {n} AS VARCHAR), 16, '0'), ''
            FROM range(1, {n + 1}) t(i) WHERE i % 4 = 1)
        SELECT row_number() OVER () AS id, subject_id, kind, key,
               CASE WHEN label = '' THEN key ELSE label END AS label,
               CAST(NULL AS VARCHAR) AS share
        FROM p) TO '{folder}/subject_parties.parquet' (FORMAT parquet)""")  # fmt: skip
    con.execute(f"""COPY (
        SELECT i AS id, CAST(1 + hash(i * 29) % {n} AS BIGINT) AS subject_id,
               CAST(DATE '{AS_OF}' - CAST(hash(i * 31) % 1000 AS INTEGER) AS DATE) AS changed_on,
               CASE WHEN i % 3 = 0 THEN '住所' ELSE '法定代表人' END AS item,
               '甲' AS "before", '乙' AS "after"
        FROM range(1, {int(n * 0.4) + 1}) t(i))
        TO '{folder}/subject_changes.parquet' (FORMAT parquet)""")  # fmt: skip
    cases, start = [], 0
    for name, share in DATASETS:
        start += share
        cases.append(f"WHEN h < {start} THEN '{name}'")
    con.execute(f"""COPY (
        WITH r AS (SELECT i AS id, hash(i) % 1000 AS h, hash(i * 7) AS g
                   FROM range(1, {m + 1}) t(i))
        SELECT id, CASE {" ".join(cases)} ELSE 'licence' END AS dataset,
               CAST(1 + g % {n} AS BIGINT) AS subject_id,
               CAST(DATE '{AS_OF}' - CAST((g >> 12) % 1825 AS INTEGER) AS DATE) AS event_date,
               (g >> 32) % 100 >= 5 AS in_force, CAST(NULL AS DATE) AS pub_from,
               CAST(NULL AS DATE) AS pub_until, 'in_force' AS status
        FROM r) TO '{folder}/records/base.parquet' (FORMAT parquet, ROW_GROUP_SIZE 122880)""")
    # the planted anomaly: a third of the clothing firms (C1819) of district 110105 penalised
    # in the last 200 days, far above the same industry elsewhere
    con.execute(f"""COPY (
        SELECT {m} + row_number() OVER (ORDER BY id) AS id, 'penalty' AS dataset,
               id AS subject_id,
               CAST(DATE '{AS_OF}' - CAST(hash(id) % 200 AS INTEGER) AS DATE) AS event_date,
               TRUE AS in_force, CAST(NULL AS DATE) AS pub_from,
               CAST(NULL AS DATE) AS pub_until, 'in_force' AS status
        FROM read_parquet('{folder}/subjects.parquet')
        WHERE industry_code = 'C1819' AND region_code = '110105' AND hash(id * 37) % 3 = 0)
        TO '{folder}/records/planted.parquet' (FORMAT parquet)""")
    con.close()
    names = ("subjects", "subject_parties", "subject_changes")
    tables = {t: folder / f"{t}.parquet" for t in names} | {"records": folder / "records"}
    return snapshot.Snapshot(folder, datetime.now(UTC), tables, {})


def rules_bench(taken: snapshot.Snapshot, threads: int | None) -> None:
    engine = DuckDBEngine(threads=threads)
    rules = load_rules(load_catalog())
    print(f"{'rule':<28}{'bare join':>11}{'rule':>9}{'ratio':>7}{'rows':>10}")
    total_bare = total_rule = 0.0
    for rule in rules.rules:
        job = kinds.job(rule)
        tables = {t: taken.tables[t] for t in job.inputs}
        began = time.perf_counter()
        bare = engine.query(BARE[rule.kind], tables)
        bare_s = time.perf_counter() - began
        began = time.perf_counter()
        found = jobs.run(job, taken, engine, AS_OF)
        rule_s = time.perf_counter() - began
        total_bare, total_rule = total_bare + bare_s, total_rule + rule_s
        print(f"{rule.id:<28}{bare_s:>10.2f}s{rule_s:>8.2f}s{rule_s / bare_s:>7.2f}"
              f"{found.num_rows:>10,}   (bare: {bare.num_rows:,} rows)")  # fmt: skip
    print(f"{'all rules':<28}{total_bare:>10.2f}s{total_rule:>8.2f}s"
          f"{total_rule / total_bare:>7.2f}; peak RSS {_peak_mb():,.0f} MB")  # fmt: skip
    began = time.perf_counter()
    findings = find(rules, taken, engine, AS_OF)
    print(f"warnings.find (every rule, grouped per subject): {time.perf_counter() - began:.2f}s, "
          f"{len(findings):,} warnings")  # fmt: skip


def _load(db: sa.Engine, taken: snapshot.Snapshot) -> None:
    """Subjects, parties and the records the graph reads, into the store (raw DB-API)."""
    now = datetime(2026, 3, 31, tzinfo=UTC).isoformat(sep=" ")
    raw = db.raw_connection()
    try:
        cur = raw.cursor()
        # a bulk load of a throw-away file: no fsync per page, a large page cache
        cur.execute("PRAGMA synchronous = OFF")
        cur.execute("PRAGMA cache_size = -512000")
        cur.execute("INSERT INTO departments (id, name, kind, created_at) VALUES "
                    f"(1, '市市场监督管理局', 'provider', '{now}')")  # fmt: skip
        for batch in pq.ParquetFile(taken.tables["subjects"]).iter_batches(200_000):
            cur.executemany(
                "INSERT INTO subjects (id, uscc, name, name_norm, reg_date, reg_status,"
                " industry_code, region_code, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r["id"], r["uscc"], r["name"], r["name"], r["reg_date"].isoformat(),
                  r["reg_status"], r["industry_code"], r["region_code"], now, now)
                 for r in batch.to_pylist()],
            )  # fmt: skip
        for batch in pq.ParquetFile(taken.tables["subject_parties"]).iter_batches(200_000):
            cur.executemany(
                "INSERT INTO subject_parties (id, subject_id, kind, key, label)"
                " VALUES (?, ?, ?, ?, ?)",
                [(r["id"], r["subject_id"], r["kind"], r["key"], r["label"])
                 for r in batch.to_pylist()],
            )  # fmt: skip
        wanted = {"penalty", "abnormal_list", "serious_dishonest_list", "dishonest_debtor"}
        parts = sorted(taken.tables["records"].glob("*.parquet"))
        batches = (b for part in parts for b in pq.ParquetFile(part).iter_batches(200_000))
        for batch in batches:
            cur.executemany(
                "INSERT INTO records (id, dataset, dedupe_key, content_hash, version, subject_id,"
                " event_date, submission_id, row_no, data, created_at, updated_at,"
                " department_id, in_force) VALUES (?, ?, ?, ?, 1, ?, ?, 's', ?, '{}', ?, ?, 1, ?)",
                [(r["id"], r["dataset"], str(r["id"]), str(r["id"]), r["subject_id"],
                  r["event_date"].isoformat(), r["id"], now, now, r["in_force"])
                 for r in batch.to_pylist() if r["dataset"] in wanted],
            )  # fmt: skip
        raw.commit()
    finally:
        raw.close()


def graph_bench(folder: Path, taken: snapshot.Snapshot, n: int, samples: int) -> None:
    kept = (folder / "store.db").exists()  # --folder of an earlier run: its store is reused
    db = make_engine(f"sqlite:///{folder}/store.db")
    if not kept:
        migrate.upgrade(db)
        began = time.perf_counter()
        _load(db, taken)
        print(f"store (SQLite): subjects, parties and list/penalty records loaded in "
              f"{time.perf_counter() - began:.1f}s")  # fmt: skip
    rng = random.Random(7)
    shared = duckdb.sql(f"""SELECT DISTINCT a.subject_id FROM
        read_parquet('{taken.tables["subject_parties"]}') a
        JOIN read_parquet('{taken.tables["subject_parties"]}') b
          ON a.kind = b.kind AND a.key = b.key AND a.subject_id <> b.subject_id
        ORDER BY hash(a.subject_id) LIMIT {samples // 2}""").fetchall()
    ids = [int(s) for (s,) in shared] + [rng.randint(1, n) for _ in range(samples - len(shared))]
    catalog = load_catalog()
    times, sizes, cut = [], [], 0
    with db.connect() as conn:
        for sid in ids:
            began = time.perf_counter()
            hood = graph.neighbourhood(conn, catalog, sid, AS_OF, Audience.PUBLIC, depth=2,
                                       max_nodes=50)  # fmt: skip
            times.append(time.perf_counter() - began)
            sizes.append(len(hood.nodes))
            cut += hood.truncated
    times.sort()
    p = [times[min(len(times) - 1, round(q * (len(times) - 1)))] * 1000 for q in (0.5, 0.95)]
    print(f"graph neighbourhood (depth 2, ≤ 50 nodes), {len(ids)} subjects: p50 {p[0]:.1f} ms, "
          f"p95 {p[1]:.1f} ms, max {times[-1] * 1000:.1f} ms; nodes mean "
          f"{statistics.mean(sizes):.1f}, {cut} cut at the bound")  # fmt: skip
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=3_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--no-graph", action="store_true")
    parser.add_argument("--no-rules", action="store_true", help="only the graph query")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="gongxin-bench-warnings-"))
    try:
        began = time.perf_counter()
        taken = build(folder / "snapshot", args.subjects, args.records)
        rows = {
            t: sum(pq.ParquetFile(f).metadata.num_rows for f in ([p] if p.is_file() else
                                                                  sorted(p.glob("*.parquet"))))
            for t, p in taken.tables.items()
        }  # fmt: skip
        print(f"data: {', '.join(f'{v:,} {k}' for k, v in rows.items())} as Parquet in "
              f"{time.perf_counter() - began:.1f}s")  # fmt: skip
        if not args.no_rules:
            rules_bench(taken, args.threads)
        if not args.no_graph:
            graph_bench(folder, taken, args.subjects, args.samples)
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
