"""Visibility-gate benchmark: decide + mask per record against a bare date check and copy.

    python bench/gate.py [--rows N] [--repeat R] [--json]

1. Writes N valid penalty rows (``gongxin.demo.fast.write_penalty_csv``), ingests them into a
   temporary SQLite database and reads their stored values back as dicts (untimed).
2. gongxin, per record: ``gate.view(spec, data, audience, as_of)`` (``decide``, then
   ``masked`` when visible) for every record, as the public and as a department.
3. gongxin, batch: ``gate.Gate(spec, Audience.PUBLIC, as_of).view_many(rows)`` (skipped when
   the gate has no ``Gate``, e.g. when run against an older checkout on PYTHONPATH).
4. Baseline, in the same run: for every record, parse its decision date, compare it with the
   day and copy the dict: the least any gate must do.

Each figure is the best of R runs (default 3). Prints records per second and each one's ratio
to the baseline. A measurement, not a test: no targets, it exits 0.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from opendata import AS_OF, build


def _rows(count: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = build(Path(tmp), count)
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        query = "SELECT data FROM records WHERE dataset = 'penalty' ORDER BY id"
        rows = [json.loads(data) for (data,) in db.execute(query)]
        db.close()
    return rows


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, shown = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        shown = run()
        best = min(best, time.perf_counter() - start)
    return best, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from gongxin.catalog.registry import get_catalog
    from gongxin.records import gate
    from gongxin.records.gate import Audience

    rows = _rows(args.rows)
    spec = get_catalog().get("penalty")
    start_field = spec.visibility.start or "CF_JDRQ"

    def bare() -> int:
        shown = 0
        for data in rows:
            if date.fromisoformat(data[start_field]) <= AS_OF and dict(data):
                shown += 1
        return shown

    def per_record(audience: Audience) -> Callable[[], int]:
        return lambda: sum(1 for r in rows if gate.view(spec, r, audience, AS_OF) is not None)

    runs: dict[str, Callable[[], int]] = {
        "bare": bare,
        "public_per_record": per_record(Audience.PUBLIC),
        "department_per_record": per_record(Audience.DEPARTMENT),
    }
    if hasattr(gate, "Gate"):
        batch = gate.Gate(spec, Audience.PUBLIC, AS_OF)
        runs["public_batch"] = lambda: sum(1 for v in batch.view_many(rows) if v is not None)
    timed = {name: _best(run, args.repeat) for name, run in runs.items()}
    bare_rate = len(rows) / timed["bare"][0]
    figures: dict[str, Any] = {"records": len(rows), "public_rows": timed["public_per_record"][1]}
    for name, (seconds, _) in timed.items():
        rate = len(rows) / seconds
        figures[f"{name}_records_per_s"] = round(rate)
        figures[f"{name}_us_per_record"] = round(seconds / len(rows) * 1e6, 2)
        if name != "bare":
            figures[f"{name}_ratio_to_bare"] = round(rate / bare_rate, 3)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"records                  {figures['records']:>12,}")
    print(f"rows public today        {figures['public_rows']:>12,}")
    for name in timed:
        rate, micro = figures[f"{name}_records_per_s"], figures[f"{name}_us_per_record"]
        ratio = figures.get(f"{name}_ratio_to_bare", "")
        print(f"{name:<24} {rate:>12,} records/s {micro:>8} µs/record  {ratio}")


if __name__ == "__main__":
    main()
