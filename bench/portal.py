"""Portal benchmark: the public query API on a large register, against bare SQLite lookups.

    python bench/portal.py [--subjects N] [--requests K] [--reports R] [--db PATH] [--json]

1. Builds a demo database of N registered subjects into ``--db`` (a temporary folder unless
   given; a folder that already holds a finished build of the same size and seed is reused, so
   repeated runs skip this step). Not the full ``gongxin demo``, which is too slow at a million:
   the market entities of the demo's fast path (``gongxin.demo.fast``: unique valid USCCs,
   company and shop names, legal representatives) become one registration CSV with the
   registration headers, ingested through ``gongxin.intake.pipeline.ingest``; then
   ``write_penalty_csv`` — drawing the very same entities from the same seed — writes penalty
   rows for about 5% of them (plus a few natural persons), ingested after it.
2. gongxin: a FastAPI TestClient over ``create_app`` times K requests each of name search (random
   2–4 character fragments of real names, and some USCCs), profile, records, and R requests of
   the PDF report (slower), each after a short untimed warm-up.
3. Baseline: the same searches as bare indexed SQL straight on sqlite3 (the FTS5 trigram table
   for fragments of three characters or more, ``instr`` for two — what gongxin itself falls back
   to — and the unique USCC index for codes, all ``LIMIT 20``), and a bare primary-key lookup
   for each profile.

Reports p50 / p95 / p99 in milliseconds per kind, and gongxin's p50 over the bare p50 for search
and for profile. It is a measurement, not a test: no targets, it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROVIDER = "市市场监督管理局"
SEED = 1
PENALTY_SHARE = 0.05  # penalty rows per registered subject
MARKER = "built.json"
REGISTRATION_HEADERS = (
    "企业名称", "统一社会信用代码", "注册日期", "企业类型", "法人代表", "注册资金", "经营范围",
    "所在省份", "地区", "注册地址",
)  # fmt: skip
CODE_SHARE = 0.1  # searches by USCC rather than by a name fragment
PENALISED_SHARE = 0.5  # profile/records/report requests about a subject with penalties


# -- the build -----------------------------------------------------------------------------


def _write_registrations(path: Path, subjects: int) -> None:
    """One registration row per market entity of the demo's fast path, the same entities (same
    seed, same draws) ``write_penalty_csv(..., subjects=subjects)`` picks its counterparts from."""
    from gongxin.catalog.registry import get_catalog
    from gongxin.demo import fast, names
    from gongxin.demo.regions import REGIONS, address
    from gongxin.demo.subjects import INDIVIDUAL

    spec = get_catalog().get("penalty")
    runs = fast._runs(spec)
    rng = random.Random(f"{SEED}:fast-penalty")  # write_penalty_csv's stream
    entities = fast._entities(spec, runs, rng, max(1, subjects))
    codes = [spec.fields[i].code for kind, idx in runs if kind == "S" for i in idx]
    keys = spec.subject_keys
    assert keys.name and keys.category and keys.uscc
    at = {c: codes.index(c) for c in (keys.name, keys.category, keys.uscc, "CF_FRDB")}
    region_of = {r.code: r for r in REGIONS}
    scopes = dict(names.INDUSTRIES) | dict(names.SHOPS)
    rest = random.Random(f"{SEED}:portal-registration")  # the facts the penalty file lacks
    start, span = date(1995, 1, 1), (date(2000, 1, 1) - date(1995, 1, 1)).days
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(REGISTRATION_HEADERS)
        for segments, _bucket in entities:
            cells = ",".join(segments).split(",")  # names hold no comma: see fast._entities
            name, code = cells[at[keys.name]], cells[at[keys.uscc]]
            region = region_of[code[2:8]]
            shop = cells[at[keys.category]] == INDIVIDUAL
            scope = next((s for w, s in scopes.items() if name.endswith(w)), None)
            if scope is None:
                scope = next((s for w, s in scopes.items() if w in name), "销售日用品。")
            out.writerow((
                name,
                code,
                (start + timedelta(days=rest.randrange(span))).isoformat(),
                "个体工商户" if shop else rest.choice(names.COMPANY_TYPES),
                cells[at["CF_FRDB"]],
                names.capital(rest, small=shop),
                scope,
                region.province_short,
                region.area,
                address(rest, region),
            ))  # fmt: skip


def _build(folder: Path, subjects: int) -> dict[str, Any]:
    """Schema, one provider, the registration file, then the penalty file; returns timings."""
    from gongxin import logs
    from gongxin.catalog.registry import load_catalog
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.demo.agencies import SAMR
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.demo.load import ensure_assignments
    from gongxin.identity import departments
    from gongxin.intake.pipeline import ingest

    logs.configure("WARNING")
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "gongxin.db"
    for stale in (db_path, folder / "gongxin.db-wal", folder / "gongxin.db-shm"):
        stale.unlink(missing_ok=True)
    as_of = datetime.now(UTC)
    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, PROVIDER, kind="provider", code=SAMR.code, now=as_of)
    catalog = load_catalog()
    with engine.begin() as conn:  # the register's provider; its district bureaus' names
        ensure_assignments(conn, catalog, as_of)
    figures: dict[str, Any] = {"as_of": as_of.isoformat()}

    reg_csv, pen_csv = folder / "registration.csv", folder / "penalty.csv"
    started = time.perf_counter()
    _write_registrations(reg_csv, subjects)
    figures["registration_generate_s"] = time.perf_counter() - started
    print(f"  registration.csv: {subjects:,} rows in {figures['registration_generate_s']:.1f} s",
          flush=True)  # fmt: skip
    started = time.perf_counter()
    reg = ingest(engine, catalog, reg_csv, dataset="registration", provider=PROVIDER, as_of=as_of)
    figures["registration_ingest_s"] = time.perf_counter() - started
    figures["registration"] = reg.to_dict()
    print(f"  registration ingest: {figures['registration_ingest_s']:.1f} s", flush=True)

    penalties = max(1, round(subjects * PENALTY_SHARE))
    started = time.perf_counter()
    write_penalty_csv(pen_csv, penalties, seed=SEED, as_of=as_of.date(), subjects=subjects)
    figures["penalty_generate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    pen = ingest(engine, catalog, pen_csv, dataset="penalty", provider=PROVIDER, as_of=as_of)
    figures["penalty_ingest_s"] = time.perf_counter() - started
    figures["penalty"] = pen.to_dict()
    print(f"  penalty ingest: {penalties:,} rows in {figures['penalty_ingest_s']:.1f} s",
          flush=True)  # fmt: skip
    engine.dispose()
    figures["subjects"], figures["seed"], figures["penalty_rows"] = subjects, SEED, penalties
    (folder / MARKER).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n")
    return figures


def _existing(folder: Path, subjects: int) -> dict[str, Any] | None:
    marker = folder / MARKER
    if not marker.is_file() or not (folder / "gongxin.db").is_file():
        return None
    built: dict[str, Any] = json.loads(marker.read_text())
    if built.get("subjects") != subjects or built.get("seed") != SEED:
        return None
    return built


# -- the workload --------------------------------------------------------------------------


def _workload(
    db_path: Path, requests: int, rng: random.Random
) -> tuple[list[str], list[tuple[int, str]]]:
    """Search queries (name fragments and some USCCs), and (id, code) of subjects to look up:
    half with penalty records, half anyone."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        top = int(con.execute("SELECT max(id) FROM subjects").fetchone()[0])

        def some(n: int) -> list[tuple[int, str, str]]:
            out: list[tuple[int, str, str]] = []
            while len(out) < n:
                row = con.execute(
                    "SELECT id, uscc, name FROM subjects WHERE id = ? AND uscc IS NOT NULL",
                    (rng.randint(1, top),),
                ).fetchone()
                if row:
                    out.append(row)
            return out

        penalised = [
            (int(i), str(c))
            for i, c in con.execute(
                "SELECT DISTINCT s.id, s.uscc FROM records r JOIN subjects s ON s.id = r.subject_id"
                " WHERE r.dataset = 'penalty' AND s.uscc IS NOT NULL LIMIT 20000"
            )
        ]
        sample, anyone = some(requests), [(i, c) for i, c, _ in some(requests)]
    finally:
        con.close()
    queries = []
    for _id, code, name in sample:
        if rng.random() < CODE_SHARE:
            queries.append(code)
        else:
            width = rng.randint(2, 4)
            at = rng.randrange(max(1, len(name) - width + 1))
            queries.append(name[at : at + width])
    targets = [
        rng.choice(penalised) if penalised and rng.random() < PENALISED_SHARE else anyone[n]
        for n in range(requests)
    ]
    return queries, targets


def _timed(calls: Sequence[Callable[[], object]], warm: int = 5) -> list[float]:
    """Milliseconds per call, after ``warm`` untimed calls."""
    for call in calls[:warm]:
        call()
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _gongxin(
    folder: Path, queries: list[str], targets: list[tuple[int, str]], reports: int
) -> dict[str, list[float]]:
    from starlette.exceptions import StarletteDeprecationWarning

    from gongxin import logs
    from gongxin.settings import Settings
    from gongxin.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from fastapi.testclient import TestClient

    settings = Settings(
        database_url=f"sqlite:///{folder / 'gongxin.db'}",
        var_dir=folder / "var",
        log_level="WARNING",
    )
    app = create_app(settings)
    logs.configure("WARNING")
    out: dict[str, list[float]] = {}
    with TestClient(app) as client:

        def get(url: str, **params: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(url, params=params or None)
                if response.status_code != 200:
                    raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
                return response.content

            return call

        out["search"] = _timed([get("/api/v1/subjects", q=q) for q in queries])
        out["profile"] = _timed([get(f"/api/v1/subjects/{c}") for _, c in targets])
        out["records"] = _timed([get(f"/api/v1/subjects/{c}/records") for _, c in targets])
        out["report"] = _timed([get(f"/api/v1/reports/{c}.pdf") for _, c in targets[:reports]], 2)
    return out


def _bare(
    db_path: Path, queries: list[str], targets: list[tuple[int, str]]
) -> dict[str, list[float]]:
    from gongxin.ids import classify
    from gongxin.subjects.names import normalise_name

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con.execute("PRAGMA cache_size=-65536")

    def search(q: str) -> Callable[[], object]:
        if classify(q) == "uscc":
            sql = "SELECT id FROM subjects WHERE uscc = ? LIMIT 20"
            return lambda: con.execute(sql, (q,)).fetchall()
        key = normalise_name(q)
        if len(key) >= 3:
            phrase = '"' + key.replace('"', '""') + '"'
            sql = "SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ? LIMIT 20"
            return lambda: con.execute(sql, (phrase,)).fetchall()
        sql = "SELECT id FROM subjects WHERE instr(name_norm, ?) > 0 LIMIT 20"
        return lambda: con.execute(sql, (key,)).fetchall()

    def by_id(i: int) -> Callable[[], object]:
        return lambda: con.execute("SELECT * FROM subjects WHERE id = ?", (i,)).fetchone()

    def by_code(c: str) -> Callable[[], object]:
        return lambda: con.execute("SELECT * FROM subjects WHERE uscc = ?", (c,)).fetchone()

    try:
        return {
            "search": _timed([search(q) for q in queries]),
            "profile": _timed([by_id(i) for i, _ in targets]),
            "profile_by_uscc": _timed([by_code(c) for _, c in targets]),
        }
    finally:
        con.close()


# -- the report ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000, help="registered subjects")
    parser.add_argument("--requests", type=int, default=200, help="requests per kind")
    parser.add_argument("--reports", type=int, default=30, help="PDF reports to generate")
    parser.add_argument("--db", type=Path, help="build folder, reused if already built")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)

    temporary = args.db is None
    folder: Path = args.db or Path(tempfile.mkdtemp(prefix="gongxin-portal-"))
    try:
        built = _existing(folder, args.subjects)
        reused = built is not None
        if built is None:
            print(f"building {args.subjects:,} subjects into {folder} …", flush=True)
            started = time.perf_counter()
            built = _build(folder, args.subjects)
            built["build_s"] = time.perf_counter() - started
            (folder / MARKER).write_text(json.dumps(built, ensure_ascii=False, indent=1) + "\n")
        db_path = folder / "gongxin.db"
        rng = random.Random(f"{SEED}:portal-workload")
        queries, targets = _workload(db_path, args.requests, rng)
        reports = min(args.reports, len(targets))
        gx = _gongxin(folder, queries, targets, reports)
        bare = _bare(db_path, queries, targets)
        db_mib = db_path.stat().st_size / 2**20
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)

    reg, pen = built["registration"], built["penalty"]
    print(f"\nportal benchmark — {args.subjects:,} subjects, {args.requests} requests per kind "
          f"({reports} reports), database {db_mib:,.0f} MiB")  # fmt: skip
    if reused:
        print(f"  build: reused {folder} (built {built['as_of'][:19]}, {built['build_s']:.0f} s)")
    else:
        print(f"  build: {built['build_s']:.1f} s")
    print(f"    registration: generate {built['registration_generate_s']:.1f} s, ingest "
          f"{built['registration_ingest_s']:.1f} s "
          f"({reg['rows'] / built['registration_ingest_s']:,.0f} rows/s), "
          f"accepted {reg['accepted']:,} of {reg['rows']:,}")  # fmt: skip
    print(f"    penalty:      generate {built['penalty_generate_s']:.1f} s, ingest "
          f"{built['penalty_ingest_s']:.1f} s "
          f"({pen['rows'] / built['penalty_ingest_s']:,.0f} rows/s), "
          f"accepted {pen['accepted']:,} of {pen['rows']:,}, "
          f"unlinked {pen['unlinked']:,}")  # fmt: skip
    rows = [(f"gongxin {k}", v) for k, v in gx.items()]
    rows += [(f"bare {k}", v) for k, v in bare.items()]
    print(f"\n  {'':<24}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    table: dict[str, dict[str, float]] = {}
    for label, values in rows:
        stats = {
            "n": len(values),
            "p50_ms": _pct(values, 50),
            "p95_ms": _pct(values, 95),
            "p99_ms": _pct(values, 99),
            "mean_ms": statistics.fmean(values),
        }
        table[label.replace(" ", "_")] = {k: round(v, 3) for k, v in stats.items()}
        print(f"  {label:<24}{len(values):>6}{stats['p50_ms']:>10.2f}{stats['p95_ms']:>10.2f}"
              f"{stats['p99_ms']:>10.2f}{stats['mean_ms']:>10.2f}")  # fmt: skip
    search_ratio = _pct(gx["search"], 50) / _pct(bare["search"], 50)
    profile_ratio = _pct(gx["profile"], 50) / _pct(bare["profile"], 50)
    print(f"\n  p50 ratio gongxin / bare: search {search_ratio:,.1f}×, "
          f"profile {profile_ratio:,.1f}×")  # fmt: skip

    if args.json:
        figures = {
            "subjects": args.subjects,
            "requests": args.requests,
            "reports": reports,
            "db_mib": round(db_mib, 1),
            "build_reused": reused,
            "build_s": round(built["build_s"], 1),
            "registration_generate_s": round(built["registration_generate_s"], 1),
            "registration_ingest_s": round(built["registration_ingest_s"], 1),
            "penalty_generate_s": round(built["penalty_generate_s"], 1),
            "penalty_ingest_s": round(built["penalty_ingest_s"], 1),
            "registration_accepted": reg["accepted"],
            "penalty_rows": pen["rows"],
            "penalty_accepted": pen["accepted"],
            "penalty_unlinked": pen["unlinked"],
            "latency": table,
            "search_p50_ratio": round(search_ratio, 2),
            "profile_p50_ratio": round(profile_ratio, 2),
        }
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
