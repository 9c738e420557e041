"""Linkage benchmark: name-only records against a register of real and synthetic names.

    python bench/linkage.py [--subjects N] [--queries Q] [--held-out H] [--engine duckdb|spark]
                            [--count] [--realism] [--seed S] [--json]

1. The register (untimed): every real registration in ``shared/data/real/registrations``
   (1993, all provinces; 2002, Beijing: 46,038 distinct names), then synthetic names
   (``bench/company_names.py``) up to N subjects.
2. Q queries, each a perturbed name of a distinct registered subject (``supervision.evaluation``:
   a typo, 有限公司/有限责任公司, full-width brackets, a branch suffix, traditional characters,
   stray spaces), knowing its subject:
   - H of them the **held-out evaluation set**: perturbed real names (seed 2026, never used to
     set the model's probabilities, which are fixed in ``linkage_model.yaml``);
   - the rest perturbed synthetic names.
3. Timed: normalising every name, scoring every query against the whole register (Splink, the
   model's blocking rules, DuckDB or Spark) and choosing the automatic links, as
   ``gongxin linkage run`` does.

Prints the time (wall clock, and the CPU time of this process: the machine may be shared, so
the load average is printed too) and, for the held-out set and for the synthetic queries
apart, precision, recall and F1 of the automatic links. ``--count`` adds the comparisons
each blocking rule makes (counted after the timed run); ``--realism`` the share of names
one typo from another, real against synthetic at the same size. The issue's target: 100,000
queries against 1,000,000 subjects within 5 minutes, precision ≥ 0.995 and F1 ≥ 0.98 on the
held-out set. A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# run as a script (python bench/<name>.py): the repository's root, for bench.* and tests.*
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.company_names import near_share, register

from gongxin.subjects.names import normalise_name
from gongxin.supervision.evaluation import decide, name_row, queries, tally
from gongxin.supervision.model import load_model
from gongxin.supervision.scoring import comparisons, name_keys, to_simplified

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "registrations"


def norm(name: str) -> str:
    return to_simplified(normalise_name(name))


def real_names(folder: Path) -> list[str]:
    """Distinct (normalised) names of the real registrations; mojibake rows left out."""
    files = [*sorted((folder / "csv_1993").glob("*.csv")), folder / "2002_北京.csv"]
    seen: set[str] = set()
    out: list[str] = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in list(csv.reader(fh))[1:]:
                if row and row[0] and "\ufffd" not in row[0] and norm(row[0]) not in seen:
                    seen.add(norm(row[0]))
                    out.append(row[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--held-out", type=int, default=5_000)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--count", action="store_true", help="count comparisons per rule")
    parser.add_argument("--realism", action="store_true", help="near-name share, real vs ours")
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    real = real_names(args.real)[: args.subjects]
    synthetic = register(args.subjects - len(real), args.seed, norm, {norm(n) for n in real})
    subjects = list(enumerate([*real, *synthetic], start=1))
    held = queries(subjects[: len(real)], min(args.held_out, args.queries), seed=2026)
    rest = queries(subjects[len(real) :], args.queries - len(held), seed=args.seed)
    asked = [*held, *rest]

    model = load_model()
    spark = _spark() if args.engine == "spark" else None
    started, cpu = time.perf_counter(), time.process_time()
    decided = decide(model, subjects, asked, spark=spark)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    figures: dict[str, Any] = {
        "engine": args.engine, "subjects": len(subjects), "real_subjects": len(real),
        "queries": len(asked), "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }  # fmt: skip
    for label, part, got in (
        ("held_out", held, decided[: len(held)]),
        ("synthetic", rest, decided[len(held) :]),
    ):
        r = tally(part, got)
        figures[label] = {
            "queries": r.queries, "linked": r.linked, "review": r.review,
            "precision": round(r.precision, 4), "recall": round(r.recall, 4), "f1": round(r.f1, 4),
        }  # fmt: skip
    if args.count:
        left = [name_row(i, q.name) for i, q in enumerate(asked)]
        right = [name_row(sid, name) for sid, name in subjects]
        counts = comparisons(model, left, right)
        figures["comparisons"] = sum(c for _, c in counts)
        figures["comparisons_per_rule"] = {rule: c for rule, c in counts}
    if args.realism:
        size = min(len(real), len(synthetic))
        figures["near_share_real"] = round(near_share([norm(n) for n in real[:size]], name_keys), 4)
        ours = [norm(n) for n in synthetic[:size]]
        figures["near_share_synthetic"] = round(near_share(ours, name_keys), 4)
        figures["near_share_size"] = size
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    for key, value in figures.items():
        print(f"{key:>22}: {value}")


def _spark() -> Any:
    from gongxin.analytics.engines import SparkEngine

    # a local driver's default 1 GB heap does not hold a large register
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--driver-memory 6g pyspark-shell")

    return SparkEngine("local[*]", partitions=8).session


if __name__ == "__main__":
    main()
