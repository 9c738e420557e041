"""The linkage model on its held-out evaluation set: perturbed names of the real 2002 Beijing
registrations (typos, legal-form spellings, brackets, branch suffixes, traditional characters,
spacing) linked name-only against the whole register."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from gongxin.supervision.evaluation import KINDS, evaluate, perturb, queries
from gongxin.supervision.model import load_model


def register(real_data: Path) -> list[tuple[int, str]]:
    path = real_data / "registrations" / "2002_北京.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return [(i, row[0]) for i, row in enumerate(rows) if row[0]]


def test_each_perturbation_changes_the_name() -> None:
    rng = random.Random(3)
    name = "北京华夏电子科技有限责任公司"
    variants = {kind: perturb(name, kind, rng) for kind in KINDS}
    assert all(v != name for v in variants.values())
    assert variants["legal_form"] == "北京华夏电子科技有限公司"
    assert variants["traditional"] == "北京華夏電子科技有限責任公司".replace("責", "责")


def test_precision_and_f1_on_the_held_out_set(real_data: Path) -> None:
    subjects = register(real_data)
    asked = queries(subjects, 300, seed=2026)
    assert {q.kind for q in asked} == set(KINDS)
    result = evaluate(load_model(), subjects, asked)
    assert result.precision >= 0.995, result
    assert result.f1 >= 0.98, result
