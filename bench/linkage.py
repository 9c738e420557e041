"""Linkage benchmark: name-only records against a synthetic register, with the Splink model.

    python bench/linkage.py [--subjects N] [--queries Q] [--seed S] [--json]

1. A register of N distinct company names (the demo's name generator: region, trade name,
   industry, legal form), as the linkage reads subjects (untimed).
2. Q queries: perturbed names of distinct registered subjects (``supervision.evaluation``:
   typos, legal-form spellings, brackets, branch suffixes, traditional characters, spacing),
   each knowing its subject; the model never saw them (its probabilities are fixed in the file).
3. Timed: scoring every query against the register (Splink, DuckDB backend, the model's
   blocking rules) and choosing the automatic links, as ``gongxin linkage run`` does.

Prints the time, precision, recall and F1 of the automatic links. The issue's target is
100,000 queries against 1,000,000 subjects within 5 minutes with precision ≥ 0.995 and
F1 ≥ 0.98. A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from gongxin.demo import names
from gongxin.demo.regions import pick_region
from gongxin.supervision.evaluation import evaluate, queries
from gongxin.supervision.model import load_model


def register(n: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(f"{seed}:register")
    taken: set[str] = set()
    out: list[tuple[int, str]] = []
    while len(out) < n:
        industry, _ = rng.choice(names.INDUSTRIES)
        suffix = "有限公司" if rng.random() < 0.7 else "有限责任公司"
        name = names.company_name(rng, pick_region(rng), industry, suffix)
        if name not in taken:
            taken.add(name)
            out.append((len(out) + 1, name))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    subjects = register(args.subjects, args.seed)
    asked = queries(subjects, args.queries, seed=args.seed)
    started = time.perf_counter()
    result = evaluate(load_model(), subjects, asked)
    seconds = time.perf_counter() - started
    figures = {
        "subjects": args.subjects, "queries": args.queries, "seconds": round(seconds, 2),
        "linked": result.linked, "review": result.review, "precision": round(result.precision, 4),
        "recall": round(result.recall, 4), "f1": round(result.f1, 4),
    }  # fmt: skip
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>10}: {value}")


if __name__ == "__main__":
    main()
