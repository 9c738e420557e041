"""Credit-check benchmark: the bulk check against DuckDB's bare hash join, and the single-subject
HTTP check against a bare endpoint of the same framework on the same server.

    python bench/check.py [--codes N] [--entries M] [--seconds S] [--clients C] [--db PATH]

1. Builds a SQLite store (``--db``, a temporary folder unless given) with M list entries spread
   over the list types (half linked to registered subjects, half unlinked), written straight
   into the record store with ``dialect.bulk_insert`` (intake has its own benchmark), and a
   CSV of N codes: 10% of them listed, the rest valid USCCs on no list.
2. Bulk: ``gongxin.sanctions.snapshot.current`` (the entries applying today, judged by the
   gate, loaded into DuckDB; timed cold — built — and warm — cached, the fingerprint query
   only) and ``gongxin.sanctions.bulk.run`` (every code validated and joined with the entry
   keys, the counts of subjects, hits and errors; the answer — lists, measures, explanations
   per subject — is a view computed as it is read), then the 1M result rows with their
   explanations materialised, and the CSV result file — the path of ``gongxin check --file``.
   Baseline, in the same process and DuckDB database: a bare hash join of the same codes CSV
   with the same entry keys, materialised (and, as the earlier version measured it, the join
   reading the keys from a CSV as well). Ratio = bare / gongxin (≥ 0.3 is the target), for
   the check, with the results, the file and the cold snapshot.
3. HTTP: uvicorn on 127.0.0.1 in a child process serving the real app plus two routes on the
   same server: a bare FastAPI route (``POST /bench/bare``: parses the same body, returns a
   constant JSON), the key guard alone (``POST /bench/key``: ``require_scope``, as every
   check-scoped route) and the floor of a logged check (``POST /bench/floor``: the same key
   guard and one audited write); C client threads (httpx, keep-alive) post one-subject checks
   for S seconds to each in turn. Reports req/s and p50/p99 ms; ratio = gongxin req/s / bare req/s
   (≥ 0.5 is the target). Every real check is logged and audited, as in production.

``--only bulk`` or ``--only http`` runs one part.

A measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import random
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request  # at module level: the bare route's annotation is resolved here

LISTS = (
    "dishonest_debtor", "abnormal_list", "serious_dishonest_list", "tax_violation",
    "gov_procurement_violation", "red_list", "tax_a",
)  # fmt: skip
DEPT = "市财政局"
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def _codes(n: int, start: int) -> list[str]:
    from gongxin.ids import orgcode, uscc

    out = []
    for i in range(start, start + n):
        body = f"{i:08d}"
        org = body + orgcode.calc_check_digit(body)
        head = "91110108" + org
        out.append(head + uscc.calc_check_digit(head))
    return out


def build(folder: Path, codes: int, entries: int) -> tuple[str, Path, list[str], str]:
    import sqlalchemy as sa

    from gongxin.catalog.registry import get_catalog
    from gongxin.db import dialect, migrate
    from gongxin.db.engine import make_engine
    from gongxin.db.models import records, subjects
    from gongxin.identity import departments, keys
    from gongxin.records import decisions

    url = f"sqlite:///{folder}/bench.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    listed = _codes(entries, 1)
    rng = random.Random(1)
    stamp = dialect.timestamp_text
    with engine.begin() as conn:
        departments.add(conn, DEPT, kind="user", code=None, now=NOW)
        owner = departments.add(conn, "市信用中心", kind="provider", code=None, now=NOW).id
        key = keys.create(conn, DEPT, now=NOW, scopes=["check"]).key
        now = stamp(conn, NOW)
        linked = entries // 2
        dialect.bulk_insert(
            conn, subjects, ("id", "uscc", "name", "name_norm", "created_at", "updated_at"),
            ((i + 1, c, f"测试{i}有限公司", f"测试{i}有限公司", now, now)
             for i, c in enumerate(listed[:linked])),
        )  # fmt: skip
        rows = []
        for i, code in enumerate(listed):
            lt = LISTS[i % len(LISTS)]
            listed_on = date(2020 + rng.randrange(6), 1 + rng.randrange(12), 1).isoformat()
            data = {"MD_ZTMC": f"测试{i}有限公司", "MD_ZTLB": "法人及非法人组织",
                    "MD_TYSHXYDM": code, "MD_RDJG": "某认定机关", "MD_RDYJ": "某依据",
                    "MD_LRYY": "某事由", "MD_LRRQ": listed_on}  # fmt: skip
            if rng.random() < 0.1:
                data["MD_SJYCRQ"] = "2026-01-01"
            rows.append(
                (lt, hashlib.md5(code.encode()).hexdigest(), "0" * 32, 1,
                 i + 1 if i < linked else None, "uscc", code, data["MD_ZTMC"], listed_on,
                 "bench", i, _json(data), now, now, owner,
                 *decisions.stored_values(get_catalog().get(lt), data))  # as intake stores it
            )  # fmt: skip
        dialect.bulk_insert(
            conn, records,
            ("dataset", "dedupe_key", "content_hash", "version", "subject_id", "link_kind",
             "link_code", "subject_name", "event_date", "submission_id", "row_no", "data",
             "created_at", "updated_at", "department_id", *decisions.COLUMNS),
            rows,
        )  # fmt: skip
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    clean = _codes(codes - codes // 10, 50_000_000)
    hits = [rng.choice(listed) for _ in range(codes // 10)]
    allc = clean + hits
    rng.shuffle(allc)
    path = folder / "codes.csv"
    path.write_text("code\n" + "\n".join(allc) + "\n", encoding="utf-8")
    return url, path, listed, key


def _json(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def bench_bulk(url: str, codes_csv: Path, folder: Path) -> dict[str, float]:
    import duckdb

    from gongxin.catalog.registry import get_catalog
    from gongxin.db.engine import make_engine
    from gongxin.sanctions import bulk, memoranda, scenes, snapshot

    catalog = get_catalog()
    engine = make_engine(url)
    as_of = date(2026, 11, 22)
    scene = scenes.resolve("政府采购")
    out: dict[str, float] = {}
    with engine.connect() as conn:
        t = time.perf_counter()
        snap, _ = snapshot.current(conn, catalog, as_of)
        out["snapshot_s"] = time.perf_counter() - t
        t = time.perf_counter()
        snap, cached = snapshot.current(conn, catalog, as_of)
        out["snapshot_warm_s"] = time.perf_counter() - t
        assert cached
        book = memoranda.book(conn, catalog)
        best, table, write, cpu = float("inf"), float("inf"), float("inf"), float("inf")
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            with bulk.run(conn, catalog, codes_csv, scene=scene, snapshot=snap, book=book) as r:
                best = min(best, time.perf_counter() - t)
                cpu = min(cpu, time.process_time() - c)
                t = time.perf_counter()
                r.db.execute("CREATE TEMP TABLE results AS SELECT * FROM out ORDER BY position")
                table = min(table, time.perf_counter() - t)
                t = time.perf_counter()
                r.to_csv(folder / "result.csv")
                write = min(write, time.perf_counter() - t)
                out["subjects"], out["hits"] = r.subjects, r.hits
        out["check_s"], out["table_s"], out["write_s"] = best, table, write
        out["check_cpu_s"] = cpu
    engine.dispose()
    bare, bare_cpu = float("inf"), float("inf")
    for _ in range(3):
        db = snap.db.cursor()  # the same entry keys, already in DuckDB, as the check reads them
        t, c = time.perf_counter(), time.process_time()
        db.execute(
            "CREATE TEMP TABLE r AS SELECT q.column0 AS code, k.entry FROM "
            f"read_csv('{codes_csv}', header=false, all_varchar=true) q "
            "JOIN keys k ON q.column0 = k.key"
        )
        bare = min(bare, time.perf_counter() - t)
        bare_cpu = min(bare_cpu, time.process_time() - c)
        out["bare_rows"] = db.execute("SELECT count(*) FROM r").fetchone()[0]  # type: ignore[index]
        db.close()
    out["bare_s"], out["bare_cpu_s"] = bare, bare_cpu
    keys_csv = folder / "keys.csv"
    with snap.db.cursor() as db:
        db.execute(f"COPY keys TO '{keys_csv}' (HEADER)")
    bare_csv = float("inf")
    for _ in range(3):
        db = duckdb.connect()  # as the previous version measured it: both sides read from CSV
        t = time.perf_counter()
        db.execute(
            "CREATE TABLE r AS SELECT q.column0 AS code, k.entry FROM "
            f"read_csv('{codes_csv}', header=false, all_varchar=true) q JOIN "
            f"read_csv('{keys_csv}', header=true, all_varchar=true) k ON q.column0 = k.key"
        )
        bare_csv = min(bare_csv, time.perf_counter() - t)
        db.close()
    out["bare_csv_s"] = bare_csv
    out["entries"], out["keys"] = snap.entries, snap.keys
    return out


# -- HTTP ------------------------------------------------------------------------------------


def _serve(url: str, port: int) -> None:
    import uvicorn
    from fastapi import Depends

    from gongxin.audit import log as audit
    from gongxin.db import dialect
    from gongxin.identity.roles import Scope
    from gongxin.settings import Settings
    from gongxin.web.app import create_app
    from gongxin.web.auth import actor_of, require_scope

    # limits far above the load: the quota's upsert is measured, nothing is refused
    app = create_app(
        Settings(
            database_url=url,
            log_level="WARNING",
            check_rate_per_minute=10**9,
            check_quota_per_day=10**15,
        )
    )

    @app.post("/bench/bare")
    async def bare(request: Request) -> dict[str, Any]:
        body = await request.json()
        return {"results": [{"query": s, "hits": [], "measures": []} for s in body["subjects"]]}

    guard = require_scope(Scope.CHECK)

    @app.post("/bench/key")
    def key_only(department: Any = Depends(guard)) -> dict[str, Any]:  # noqa: B008
        """The key guard alone: what every check-scoped route pays before doing anything."""
        return {"results": [], "department": department.id}

    @app.post("/bench/floor")
    def floor(request: Request, department: Any = Depends(guard)) -> dict[str, Any]:  # noqa: B008
        """The floor of a logged check: the same key guard and one audited write, nothing else."""
        engine = request.app.state.engine
        with dialect.one_writer(engine), engine.begin() as conn:
            audit.record(
                conn, actor=actor_of(request), action="bench.floor", target="bench",
                now=datetime.now(UTC), department_id=department.id, purpose="benchmark",
            )  # fmt: skip
        return {"results": []}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load(
    port: int, path: str, key: str, codes: list[str], clients: int, seconds: float
) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while time.perf_counter() < stop:
                body = {"subjects": [rng.choice(codes)], "scene": "政府采购",
                        "requester": "bench", "purpose": "benchmark"}  # fmt: skip
                t = time.perf_counter()
                r = client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
                mine.append(time.perf_counter() - t)
                bad += r.status_code != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies), "errors": errors[0], "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    }  # fmt: skip


def bench_http(
    url: str, key: str, codes: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    import httpx

    port = _free_port()
    ctx = multiprocessing.get_context("spawn")
    server = ctx.Process(target=_serve, args=(url, port), daemon=True)
    server.start()
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        paths = {
            "real": "/api/v1/checks", "bare": "/bench/bare", "key": "/bench/key",
            "floor": "/bench/floor",
        }  # fmt: skip
        for path in paths.values():
            _load(port, path, key, codes, clients, 1.0)  # warm-up
        return {
            name: _load(port, path, key, codes, clients, seconds) for name, path in paths.items()
        }
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--only", choices=("bulk", "http"), default=None, help="one part only")
    args = parser.parse_args()
    folder = args.db or Path(tempfile.mkdtemp(prefix="gongxin-bench-check-"))
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    url, codes_csv, listed, key = build(folder, args.codes, args.entries)
    took = time.perf_counter() - t
    print(f"build: {args.entries:,} entries, {args.codes:,} codes in {took:.1f} s ({folder})")
    if args.only != "http":
        _print_bulk(bench_bulk(url, codes_csv, folder))
    if args.only != "bulk":
        _print_http(url, key, listed, args.clients, args.seconds)


def _print_bulk(b: dict[str, float]) -> None:
    check, table, write, snap = b["check_s"], b["table_s"], b["write_s"], b["snapshot_s"]
    bare = b["bare_s"]
    print(
        f"bulk: {b['subjects']:,} subjects, {b['hits']:,} with hits; "
        f"active entries {b['entries']:,} ({b['keys']:,} keys)\n"
        f"  snapshot of the entries applying today, via the gate: {snap:.2f} s cold, "
        f"{b['snapshot_warm_s']:.3f} s warm (cached; fingerprint query only)\n"
        f"  gongxin bulk check (every code validated and joined; counts of subjects, hits and "
        f"errors; best of 3): {check:.2f} s\n"
        f"  + all 1M result rows with explanations materialised in DuckDB: {table:.2f} s\n"
        f"  + instead, writing them to the CSV result file: {write:.2f} s\n"
        f"  DuckDB bare hash join, keys already in DuckDB as the check reads them "
        f"({b['bare_rows']:,} rows, best of 3): {bare:.3f} s\n"
        f"  (the same join reading the keys from CSV too, as the earlier version measured it: "
        f"{b['bare_csv_s']:.3f} s)\n"
        f"  ratio bare/gongxin (target ≥ 0.3): {bare / check:.2f} check; "
        f"{bare / (check + table):.2f} check + result table; "
        f"{bare / (check + write):.2f} check + CSV file; "
        f"{bare / (check + write + snap):.2f} check + CSV file + cold snapshot; "
        f"against the CSV-reading join: {b['bare_csv_s'] / check:.2f} check\n"
        f"  CPU time of the process (all threads; steadier than wall time on a shared machine): "
        f"check {b['check_cpu_s']:.3f} s, bare join {b['bare_cpu_s']:.3f} s, "
        f"ratio {b['bare_cpu_s'] / b['check_cpu_s']:.2f}"
    )


def _print_http(url: str, key: str, listed: list[str], clients: int, seconds: float) -> None:
    sample = listed[: len(listed) // 2] + _codes(len(listed) // 2, 60_000_000)
    h = bench_http(url, key, sample, clients, seconds)
    real, bare, key, floor = h["real"], h["bare"], h["key"], h["floor"]
    for name, r in (
        ("gongxin POST /api/v1/checks", real),
        ("bare FastAPI endpoint", bare),
        ("key guard only (require_scope)", key),
        ("floor: key guard + one audited write", floor),
    ):
        print(
            f"http {name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms ({r['requests']:,} requests, {r['errors']} errors, "
            f"{clients} clients)"
        )
    print(
        f"  ratio gongxin/bare req/s: {real['rps'] / bare['rps']:.2f} (target ≥ 0.5); "
        f"key only/bare {key['rps'] / bare['rps']:.2f}; "
        f"floor/bare {floor['rps'] / bare['rps']:.2f}; "
        f"gongxin/floor {real['rps'] / floor['rps']:.2f}"
    )


if __name__ == "__main__":
    main()
