"""Open-data download benchmark: streaming a de-identified CSV against a bare export.

    python bench/opendata.py [--rows N] [--json]

1. Writes N valid penalty rows (``gongxin.demo.fast.write_penalty_csv``) and ingests them into a
   temporary SQLite database (untimed).
2. gongxin: ``/opendata/penalty.csv`` through a FastAPI TestClient over ``create_app`` — every
   record through the visibility gate as the public on the day, masked, streamed as CSV.
3. Baseline: the same records read with sqlite3 and written with the csv module, every field,
   no gate, no masking, nothing streamed over HTTP: the floor of any CSV export of this store.

Prints records read per second of each, gongxin's ratio to the baseline, and the rows the
public may see. A measurement, not a test: no targets, it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import tempfile
import time
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

AS_OF = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def build(folder: Path, rows: int) -> str:
    from gongxin.catalog.registry import get_catalog
    from gongxin.db import migrate
    from gongxin.db.engine import make_engine
    from gongxin.demo.fast import write_penalty_csv
    from gongxin.demo.load import ensure_assignments
    from gongxin.identity import departments
    from gongxin.intake.pipeline import ingest

    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, "市市场监督管理局", kind="provider", code=None, now=NOW)
        ensure_assignments(conn, get_catalog(), NOW)  # its district bureaus' names
    path = folder / "penalty.csv"
    write_penalty_csv(path, rows, seed=1, as_of=AS_OF, subjects=max(1, rows // 2))
    ingest(engine, get_catalog(), path, dataset="penalty", provider="市市场监督管理局", as_of=NOW)
    engine.dispose()
    return url


def gongxin_csv(url: str) -> tuple[float, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from gongxin.settings import Settings
    from gongxin.web import deps
    from gongxin.web.app import create_app

    app = create_app(Settings(database_url=url, opendata_anonymous_rate_per_minute=10**6))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as client:
        start = time.perf_counter()
        body = client.get("/opendata/penalty.csv").content
        elapsed = time.perf_counter() - start
    shown = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    return elapsed, shown


def bare_csv(url: str) -> tuple[float, int]:
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    start = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out)
    count = 0
    for (data,) in db.execute("SELECT data FROM records WHERE dataset = 'penalty' ORDER BY id"):
        writer.writerow(json.loads(data).values())
        count += 1
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = build(Path(tmp), args.rows)
        ours, shown = gongxin_csv(url)
        bare, stored = bare_csv(url)
    figures = {
        "records": stored,
        "public_rows": shown,
        "gongxin_records_per_s": round(stored / ours),
        "bare_records_per_s": round(stored / bare),
        "ratio_to_bare": round(bare / ours, 3),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"records stored           {stored:>12,}")
    print(f"rows public today        {shown:>12,}")
    print(f"gongxin CSV download     {figures['gongxin_records_per_s']:>12,} records/s")
    print(f"bare sqlite3 + csv       {figures['bare_records_per_s']:>12,} records/s")
    print(f"gongxin / bare           {figures['ratio_to_bare']:>12}")


if __name__ == "__main__":
    main()
