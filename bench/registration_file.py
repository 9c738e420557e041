"""Many valid registration rows (登记信息, UTF-8 CSV): the registration input of bench/ingest.py.

A few thousand market entities come from the demo's population and its registration row builder
(so every value obeys the spec: names, capital, scope, legal representative, investors, change
history); the file repeats them with a fresh unique valid USCC and a numbered name each time,
so that every row is a distinct subject and intake must accept them all.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path
from typing import Any

BASE = 3000  # distinct entities built by the demo; the rest are numbered copies


def write_registration_csv(path: Path, rows: int, seed: int, as_of: date) -> None:
    from gongxin.catalog.registry import get_catalog
    from gongxin.demo.fast import _UsccMaker
    from gongxin.demo.generate import build_rows, make_population, plans_for
    from gongxin.demo.writers import render_date

    catalog = get_catalog()
    spec = catalog.get("registration")
    plan = next(p for p in plans_for(catalog) if p.dataset == "registration")
    rng = random.Random(f"{seed}:bench-registration")
    population = make_population(seed, min(rows, BASE), as_of)
    base = [
        row
        for row in build_rows(plan, spec, population, rng, as_of)
        if len(str(row.get("DJ_TYSHXYDM") or "")) == 18  # USCCs (not 15-digit numbers)
    ]
    codes = [f.code for f in spec.fields]
    maker = _UsccMaker(rng.randrange(10**8))

    def cell(value: Any) -> str:
        if value is None:
            return ""
        return render_date(value, "slash") if isinstance(value, date) else str(value)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f.name for f in spec.fields])
        for i in range(rows):
            row = dict(base[i % len(base)])
            if i >= len(base):  # a copy: another subject
                code = str(row["DJ_TYSHXYDM"])
                row["DJ_TYSHXYDM"] = maker.make(code[:8], i)
                name = str(row["DJ_QYMC"])
                row["DJ_QYMC"] = f"{name[:2]}{i}{name[2:]}"
            writer.writerow([cell(row.get(c)) for c in codes])
