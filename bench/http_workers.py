"""HTTP credit checks on PostgreSQL: the single check against its floor on one worker, and
``gongxin serve --workers 2`` against ``--workers 1``.

    python bench/http_workers.py [--db-url postgresql+psycopg://…] [--entries M]
                                 [--seconds S] [--clients C] [--loaders L]
                                 [--loader wrk|httpx]

1. Store: the PostgreSQL database of ``--db-url`` (emptied first), or a throwaway server on
   127.0.0.1 (``tests/support/pgserver.TemporaryPostgres``, fsync off). Migrated; one user
   department with a ``check`` key; M list entries (default 10,000) spread over the list
   types, written with ``dialect.bulk_insert`` (COPY) with the gate's stored decisions.
2. One worker: uvicorn serving the real app (app factory ``bench.http_workers:bench_app``)
   plus ``POST /bench/floor``: the same key guard (``require_scope(check)``) and one audited
   write per call, nothing else — the floor every logged check pays — and
   ``POST /bench/floor-grouped``: the check route without the check (the key guard, the body
   read, the check's own logged and audited write through the group writer). The load (below)
   posts one-subject checks for S seconds to ``POST /api/v1/checks`` and then to each floor.
   Ratio = checks req/s / floor req/s (target ≥ 0.85); checks / group-committed floor is
   printed beside it (no target: what the check itself costs).
3. Workers: ``gongxin serve --workers 1`` and then ``--workers 2`` (the real command, in a child
   process, on the same store), the same load on ``POST /api/v1/checks``. Ratio = two / one
   (target ≥ 1.6). The load generator and PostgreSQL run on the same machine: the CPU the
   load processes take (``os.times``) and the cores are printed, so that what two workers can
   show on this machine is visible.

The load comes from ``wrk`` when it is installed (``apt-get install wrk``; ``--loader wrk``,
the default then; ``bench/wrk_load.py``), which spends ≈ 0.04 ms of CPU a request, else from
L Python processes of C/L keep-alive client threads each (``--loader httpx``), which spend
≈ 0.7 ms: on two cores the Python loader takes a sixth of the machine from the servers it
measures. Either way C connections post at once.

Every check is logged and audited, as in production; the rate and quota limits are set far
above the load (GONGXIN_CHECK_RATE_PER_MINUTE, GONGXIN_CHECK_QUOTA_PER_DAY) so nothing is
refused. A measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk_load

LISTS = ("dishonest_debtor", "abnormal_list", "serious_dishonest_list", "tax_violation",
         "gov_procurement_violation", "red_list", "tax_a")  # fmt: skip
DEPT = "市财政局"
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)


def _codes(n: int, start: int) -> list[str]:
    from gongxin.ids import orgcode, uscc

    out = []
    for i in range(start, start + n):
        body = f"{i:08d}"
        head = "91110108" + body + orgcode.calc_check_digit(body)
        out.append(head + uscc.calc_check_digit(head))
    return out


def build(url: str, entries: int) -> tuple[str, list[str]]:
    """The store: a check key and ``entries`` list entries; returns the key and the codes."""
    import orjson
    import sqlalchemy as sa

    from gongxin.catalog.registry import get_catalog
    from gongxin.db import dialect, migrate
    from gongxin.db.engine import make_engine
    from gongxin.db.models import records
    from gongxin.identity import departments, keys
    from gongxin.records import decisions

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        listed = _codes(entries, 1)
        rng = random.Random(1)
        with engine.begin() as conn:
            departments.add(conn, DEPT, kind="user", code=None, now=NOW)
            owner = departments.add(conn, "市信用中心", kind="provider", code=None, now=NOW).id
            key = keys.create(conn, DEPT, now=NOW, scopes=["check"]).key
            now = dialect.timestamp_text(conn, NOW)
            rows = []
            for i, code in enumerate(listed):
                kind = LISTS[i % len(LISTS)]
                on = date(2020 + rng.randrange(6), 1 + rng.randrange(12), 1).isoformat()
                data = {"MD_ZTMC": f"测试{i}有限公司", "MD_ZTLB": "法人及非法人组织",
                        "MD_TYSHXYDM": code, "MD_RDJG": "某认定机关", "MD_RDYJ": "某依据",
                        "MD_LRYY": "某事由", "MD_LRRQ": on}  # fmt: skip
                rows.append(
                    (kind, hashlib.md5(code.encode()).hexdigest(), "0" * 32, 1, "uscc", code,
                     data["MD_ZTMC"], on, "bench", i, orjson.dumps(data).decode(), now, now,
                     owner, *decisions.stored_values(get_catalog().get(kind), data))
                )  # fmt: skip
            dialect.bulk_insert(
                conn, records,
                ("dataset", "dedupe_key", "content_hash", "version", "link_kind", "link_code",
                 "subject_name", "event_date", "submission_id", "row_no", "data", "created_at",
                 "updated_at", "department_id", *decisions.COLUMNS),
                rows,
            )  # fmt: skip
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return key, listed[: entries // 2] + _codes(entries // 2, 60_000_000)


def bench_app() -> FastAPI:
    """The real app of the environment's settings plus the floor of a logged check."""
    from fastapi.concurrency import run_in_threadpool

    from gongxin.audit import log as audit
    from gongxin.clock import local_date
    from gongxin.db import dialect
    from gongxin.identity.roles import Scope
    from gongxin.sanctions import check as checks
    from gongxin.sanctions import log, writer
    from gongxin.settings import Settings
    from gongxin.web.api.errors_doc import DEPARTMENT_KEY
    from gongxin.web.app import create_app
    from gongxin.web.auth import actor_of, require_scope

    app = create_app(Settings())
    guard = require_scope(Scope.CHECK)

    @app.post("/bench/floor")
    def floor(request: Request, department: Any = Depends(guard)) -> dict[str, Any]:  # noqa: B008
        """The same key guard and one audited write, nothing else."""
        engine = request.app.state.engine
        with dialect.one_writer(engine), engine.begin() as conn:
            audit.record(
                conn, actor=actor_of(request), action="bench.floor", target="bench",
                now=datetime.now(UTC), department_id=department.id, purpose="benchmark",
            )  # fmt: skip
        return {"results": []}

    @app.post("/bench/floor-grouped")
    async def floor_grouped(
        request: Request,
        credentials: Any = Depends(DEPARTMENT_KEY),  # noqa: B008
    ) -> dict[str, Any]:
        """The check route without the check: the key guard, the body read, and the check's
        logged and audited write (an entry with no subjects) through the group writer."""
        engine = request.app.state.engine
        now = datetime.now(UTC)
        department = await run_in_threadpool(guard, request, engine, now, credentials)
        await request.body()
        entry = log.Entry(checks.new_id(now), [], [], "gov_procurement", local_date(now), now,
                          actor_of(request), department.id, "bench", "benchmark")  # fmt: skip
        await asyncio.wrap_future(writer.for_engine(engine).submit(entry))
        return {"results": []}

    return app


def _env(url: str) -> dict[str, str]:
    here = Path(__file__).resolve().parent.parent
    path = os.pathsep.join(p for p in (str(here), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "GONGXIN_DATABASE_URL": url,
            "GONGXIN_LOG_LEVEL": "WARNING", "GONGXIN_CHECK_RATE_PER_MINUTE": str(10**9),
            "GONGXIN_CHECK_QUOTA_PER_DAY": str(10**15)}  # fmt: skip


def _start(args: list[str], url: str, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-c", *args], env=_env(url), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not start")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _loader(port: int, path: str, key: str, codes: list[str], threads: int, seconds: float,
            seed: int) -> tuple[list[float], int, float]:  # fmt: skip
    """One load process: ``threads`` keep-alive clients posting one-subject checks."""
    took: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        mine, errors = [], 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            while time.perf_counter() < stop:
                body = {"subjects": [rng.choice(codes)], "scene": "政府采购",
                        "requester": "bench", "purpose": "benchmark"}  # fmt: skip
                t = time.perf_counter()
                r = http.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
                mine.append(time.perf_counter() - t)
                errors += r.status_code != 200
        with lock:
            took.extend(mine)
            bad[0] += errors

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    began = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return took, bad[0], time.perf_counter() - began


def load(port: int, path: str, key: str, codes: list[str], clients: int, loaders: int,
         seconds: float) -> dict[str, float]:  # fmt: skip
    ctx = multiprocessing.get_context("spawn")
    per = max(1, clients // loaders)
    cpu = os.times()
    with ctx.Pool(loaders) as pool:
        parts = pool.starmap(
            _loader, [(port, path, key, codes, per, seconds, s) for s in range(loaders)]
        )
    after = os.times()
    lat = sorted(x for took, _, _ in parts for x in took)
    wall = max(w for _, _, w in parts)  # each load process's own window, spawn time left out
    return {
        "requests": len(lat), "errors": sum(b for _, b, _ in parts),
        "rps": sum(len(took) / w for took, _, w in parts),
        "p50_ms": 1000 * statistics.median(lat), "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))],
        "wall_s": wall,
        "loader_cpu_s": (after.children_user + after.children_system)
        - (cpu.children_user + cpu.children_system),
    }  # fmt: skip


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid``, its live descendants and the children it
    has reaped (PostgreSQL's ended server processes) (Linux /proc)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        at = todo.pop()
        try:
            fields = Path(f"/proc/{at}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            if at == pid:
                total += (int(fields[13]) + int(fields[14])) / tick
            for task in Path(f"/proc/{at}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _postmaster(server: Any) -> int | None:
    """The throwaway server's postmaster pid (its backends are its children), if it is ours."""
    if server is None:
        return None
    return int((server.datadir / "postmaster.pid").read_text().split()[0])


def _measured(pids: dict[str, int | None], run: Any) -> dict[str, float]:
    """``run()``'s figures with the CPU seconds each process tree spent on it per request."""
    before = {k: _tree_cpu(p) for k, p in pids.items() if p is not None}
    got: dict[str, float] = run()
    for k, was in before.items():
        pid = pids[k]
        assert pid is not None
        got[f"{k}_cpu_ms_per_req"] = 1000 * (_tree_cpu(pid) - was) / max(1, got["requests"])
    return got


def _free_port() -> int:
    from tests.support.pgserver import free_port

    return free_port()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db-url", default=None)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--loaders", type=int, default=2)
    parser.add_argument(
        "--loader", choices=("wrk", "httpx"), default="wrk" if wrk_load.available() else "httpx"
    )
    args = parser.parse_args()

    def load_for(port: int, path: str, seconds: float) -> dict[str, float]:
        if args.loader == "wrk":
            return wrk_load.load(port, path, key, codes, args.clients, seconds)
        return load(port, path, key, codes, args.clients, args.loaders, seconds)

    server = None
    url = args.db_url
    try:
        if url is None:
            from tests.support.pgserver import TemporaryPostgres

            server = TemporaryPostgres()
            server.start()
            url = server.create_database("gx_http")
        key, codes = build(url, args.entries)
        by = "wrk, one thread" if args.loader == "wrk" else f"{args.loaders} load processes"
        print(f"PostgreSQL store: {args.entries:,} list entries; {os.cpu_count()} cores; "
              f"{args.clients} clients ({by}), {args.seconds:.0f} s each", flush=True)  # fmt: skip
        bench = (
            "from bench.http_workers import bench_app; import uvicorn; uvicorn.run(bench_app(), "
        )
        port = _free_port()
        up = _start([bench + f"host='127.0.0.1', port={port}, log_level='warning')"], url, port)
        try:
            figures = {}
            routes = (("checks", "/api/v1/checks"), ("floor", "/bench/floor"),
                      ("grouped", "/bench/floor-grouped"))  # fmt: skip
            for name, path in routes:
                load_for(port, path, 2.0)  # warm-up
                figures[name] = _measured(
                    {"app": up.pid, "pg": _postmaster(server)},
                    lambda p=path: load_for(port, p, args.seconds),
                )
                _show(f"1 worker, POST {path}", figures[name])
        finally:
            _stop(up)
        ratio = figures["checks"]["rps"] / figures["floor"]["rps"]
        print(f"  ratio checks / floor: {ratio:.2f} (target ≥ 0.85)", flush=True)
        ratio = figures["checks"]["rps"] / figures["grouped"]["rps"]
        print(f"  ratio checks / group-committed floor: {ratio:.2f}", flush=True)
        serve = "import sys; from gongxin.cli import main; sys.argv[0] = 'gongxin'; main()"
        served = {}
        for workers in (1, 2):
            port = _free_port()
            cmd = [serve, "serve", "--port", str(port), "--workers", str(workers)]
            up = _start(cmd, url, port)
            try:
                load_for(port, "/api/v1/checks", 2.0)
                served[workers] = _measured(
                    {"app": up.pid, "pg": _postmaster(server)},
                    lambda port=port: load_for(port, "/api/v1/checks", args.seconds),
                )
            finally:
                _stop(up)
            _show(f"gongxin serve --workers {workers}, POST /api/v1/checks", served[workers])
        ratio = served[2]["rps"] / served[1]["rps"]
        print(f"  ratio 2 workers / 1: {ratio:.2f} (target ≥ 1.6)")
    finally:
        if server is not None:
            server.stop()
    return 0


def _show(name: str, r: dict[str, float]) -> None:
    print(
        f"{name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms "
        f"({r['requests']:,} requests, {r['errors']} errors; load generator CPU "
        f"{r['loader_cpu_s']:.1f} s (incl. start-up) for {r['wall_s']:.1f} s of load)"
        + (
            f"; CPU per request: app {r['app_cpu_ms_per_req']:.2f} ms"
            if "app_cpu_ms_per_req" in r
            else ""
        )
        + (f", PostgreSQL {r['pg_cpu_ms_per_req']:.2f} ms" if "pg_cpu_ms_per_req" in r else ""),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
